package dev.jbuild.runner.chroot;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.fs.UserNamespace;
import dev.jbuild.layercache.tar.DirectoryWalker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns what a step changed in its copied root into an overlay upper directory, as overlayfs would
 * have left it, so that {@link dev.jbuild.runner.diff.UpperDiff} writes the same layer as in root
 * mode: new and changed files are copied (never linked: a background process of the step could
 * still write to the root), deleted paths become whiteouts (0/0 character devices), a directory
 * that replaced another one (a new inode) is opaque, and every directory that still exists is
 * mirrored with its metadata (UpperDiff leaves out those that changed nothing).
 *
 * <p>A file is unchanged when its stat is (type, mode, owner, size, mtime, ctime, inode); else it
 * is compared with its original in the layers: same metadata, xattrs and bytes means unchanged
 * (rewritten with the same content, as overlayfs would have copied it up unchanged).
 */
final class TreeDiff {
  private static final byte[] YES = "y".getBytes(StandardCharsets.US_ASCII);

  private final Path rootfs;
  private final List<Path> layersTopFirst;
  private int changes;

  private TreeDiff(Path rootfs, List<Path> layersTopFirst) {
    this.rootfs = rootfs;
    this.layersTopFirst = layersTopFirst;
  }

  /** Fills {@code upper} (absent) from the changes of {@code rootfs} since {@code before}. */
  static int build(Path rootfs, TreeState.Node before, List<Path> layersTopFirst, Path upper)
      throws IOException {
    TreeDiff d = new TreeDiff(rootfs, layersTopFirst);
    Files.createDirectory(upper);
    d.directory("", rootfs, before, upper);
    FileCopies.setMetadata(rootfs, Posix.lstat(rootfs), upper);
    return d.changes;
  }

  private void directory(String rel, Path now, TreeState.Node before, Path upper)
      throws IOException {
    TreeSet<String> names = new TreeSet<>(DirectoryWalker.sortedNames(now));
    names.addAll(before.children.keySet());
    for (String n : names) {
      String childRel = rel.isEmpty() ? n : rel + "/" + n;
      Path p = now.resolve(n);
      Path u = upper.resolve(n);
      Stat st = Posix.lstatOrNull(p);
      TreeState.Node old = before.children.get(n);
      if (st == null) {
        if (old != null) {
          Posix.mknod(u, Stat.S_IFCHR, 0, 0);
          changes++;
        }
        continue;
      }
      if (st.isSocket()) {
        continue;
      }
      if (old == null) {
        FileCopies.copyTree(p, u);
        changes++;
      } else if (st.isDirectory()) {
        if (old.stat.isDirectory() && old.stat.ino() == st.ino() && old.birth == BirthTime.of(p)) {
          Files.createDirectory(u);
          directory(childRel, p, old, u);
          FileCopies.setMetadata(p, Posix.lstat(p), u);
        } else {
          FileCopies.copyTree(p, u);
          if (old.stat.isDirectory()) {
            Posix.lsetxattr(u, UserNamespace.opaqueXattr(), YES);
          }
          changes++;
        }
      } else if (!old.stat.isDirectory() && !changed(childRel, p, st, old.stat)) {
        continue;
      } else {
        FileCopies.copyLeaf(p, st, u);
        changes++;
      }
    }
  }

  private boolean changed(String rel, Path p, Stat now, Stat before) throws IOException {
    if (TreeState.unchanged(now, before)) {
      return false;
    }
    if (!TreeState.sameMetadata(now, before)) {
      return true;
    }
    Path original = TreeState.original(layersTopFirst, rel);
    if (original == null || !keptXattrs(original).equals(keptXattrs(p))) {
      return true;
    }
    return switch (now.type()) {
      case Stat.S_IFREG -> !FileCopies.sameContent(original, p);
      case Stat.S_IFLNK -> !Files.readSymbolicLink(original).equals(Files.readSymbolicLink(p));
      default -> false;
    };
  }

  private static Map<String, String> keptXattrs(Path p) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, byte[]> x : Posix.lgetxattrs(p).entrySet()) {
      if (FileCopies.KEPT_XATTRS.test(x.getKey())) {
        out.put(x.getKey(), Arrays.toString(x.getValue()));
      }
    }
    return out;
  }
}
