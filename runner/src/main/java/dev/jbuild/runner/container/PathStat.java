package dev.jbuild.runner.container;

import dev.jbuild.layercache.fs.InRoot;
import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.tar.TarNames;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * What docker's {@code X-Docker-Container-Path-Stat} header says about a path of a container (the
 * daemon's {@code HEAD/GET /containers/{id}/archive}).
 *
 * @param mode Go's {@code os.FileMode}: permission bits plus its type bits (1<<31 directory, 1<<27
 *     symlink, ...)
 * @param linkTarget where a symlink leads, as a path in the container ("" otherwise)
 */
public record PathStat(String name, long size, long mode, Instant mtime, String linkTarget) {
  public boolean isDirectory() {
    return (mode & (1L << 31)) != 0;
  }

  /**
   * The stat of {@code path} in {@code root}, the last component not followed unless the path ends
   * in {@code /} or {@code /.} (as docker); a symlink's target resolved inside the root.
   */
  static PathStat of(RootDir root, String path) throws IOException {
    Stat st = root.stat(path, follows(path));
    if (st == null) {
      throw notFound(path);
    }
    String linkTarget = st.isSymlink() ? "/" + InRoot.resolve(root, path, true) : "";
    List<String> parts = TarNames.components(path);
    String name = parts.isEmpty() ? "/" : parts.getLast();
    return new PathStat(name, st.size(), goMode(st), st.mtime(), linkTarget);
  }

  /** Whether docker follows the last component of {@code path}. */
  static boolean follows(String path) {
    return path.endsWith("/") || path.endsWith("/.");
  }

  /** Docker's message for a missing path (404 through the daemon). */
  static RunnerException notFound(String path) {
    return RunnerErrors.noSuchArchivePath(path);
  }

  /** Go's {@code os.FileMode} of a stat. */
  static long goMode(Stat st) {
    long m = st.mode() & 0777;
    if ((st.mode() & 04000) != 0) {
      m |= 1L << 23;
    }
    if ((st.mode() & 02000) != 0) {
      m |= 1L << 22;
    }
    if ((st.mode() & 01000) != 0) {
      m |= 1L << 20;
    }
    m |=
        switch (st.type()) {
          case Stat.S_IFDIR -> 1L << 31;
          case Stat.S_IFLNK -> 1L << 27;
          case Stat.S_IFIFO -> 1L << 25;
          case Stat.S_IFSOCK -> 1L << 24;
          case Stat.S_IFBLK -> 1L << 26;
          case Stat.S_IFCHR -> (1L << 26) | (1L << 21);
          default -> 0L;
        };
    return m;
  }
}
