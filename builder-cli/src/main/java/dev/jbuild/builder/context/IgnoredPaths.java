package dev.jbuild.builder.context;

import dev.jbuild.layercache.fs.Dir;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.tar.DirectoryWalker;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What .dockerignore hides below a context directory, as an overlayfs layer of whiteouts: laid over
 * the directory as the top lower layer of a read-only (or scratch-upper) overlay, it shows exactly
 * the filtered context, the way BuildKit's bind mount of the context shows only what the filtered
 * context transfer sent. Only the hidden names are written (character devices 0/0 and the
 * directories leading to them); no file is copied.
 */
public final class IgnoredPaths {
  private IgnoredPaths() {}

  /**
   * Writes a whiteout into {@code layer} (an empty directory) for every path below {@code top} that
   * .dockerignore hides; an excluded directory whose subtree nothing re-includes is one whiteout.
   *
   * @return the number of whiteouts written (0: the directory can be bound as it is)
   */
  public static int writeWhiteouts(BuildContext ctx, ContextFile top, Path layer)
      throws IOException {
    if (ctx.ignore() == IgnoreFilter.NONE || !top.stat().isDirectory()) {
      return 0;
    }
    int count;
    try (RootDir out = RootDir.open(layer)) {
      count = walk(ctx, top.path(), top.rel(), new Level(null, "", top.stat(), out.dir()));
    }
    // the merged root takes its metadata from the top layer: give it the context directory's
    Posix.lchown(layer, top.stat().uid(), top.stat().gid());
    Posix.chmod(layer, top.stat().permissions());
    Posix.utimensat(layer, null, top.stat().mtime());
    return count;
  }

  /** A directory of the whiteout layer, made only when something below it is hidden. */
  private static final class Level implements AutoCloseable {
    final Level parent;
    final String name;
    final Stat source;
    Dir dir;

    Level(Level parent, String name, Stat source, Dir dir) {
      this.parent = parent;
      this.name = name;
      this.source = source;
      this.dir = dir;
    }

    Dir get() throws IOException {
      if (dir == null) {
        Dir p = parent.get();
        p.mkdir(name, 0700);
        dir = p.openDir(name);
      }
      return dir;
    }

    /** Gives a directory it made the metadata of the context directory it stands for. */
    @Override
    public void close() throws IOException {
      if (dir == null || parent == null) {
        return;
      }
      try {
        Dir p = parent.get();
        p.chown(name, source.uid(), source.gid());
        p.chmod(name, source.permissions());
        p.setTimes(name, null, source.mtime());
      } finally {
        dir.close();
      }
    }
  }

  /**
   * Walks host directory {@code dir} (context path {@code rel}) into whiteout level {@code out}.
   */
  private static int walk(BuildContext ctx, Path dir, String rel, Level out) throws IOException {
    int count = 0;
    for (String name : DirectoryWalker.sortedNames(dir)) {
      String childRel = rel.isEmpty() ? name : rel + "/" + name;
      Path child = dir.resolve(name);
      Stat st = JdkStat.lstatOrNull(child);
      if (st == null) {
        continue;
      }
      boolean excluded = ctx.ignore().excluded(childRel);
      boolean descend = st.isDirectory() && !(excluded && ctx.ignore().skipDir(childRel));
      if (descend) {
        try (Level below = new Level(out, name, st, null)) {
          count += walk(ctx, child, childRel, below);
        }
      } else if (excluded) {
        out.get().mknod(name, Stat.S_IFCHR, 0, 0);
        count++;
      }
    }
    return count;
  }
}
