package dev.jbuild.runner.chroot;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.tar.DirectoryWalker;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The state of a copied root before the step ran: each path's lstat (type, mode, owner, size,
 * mtime, ctime, inode), as a tree. The copy in the run directory is the only place the content is
 * kept: the original of a changed file is found again in the layers ({@link #original}).
 */
final class TreeState {
  /** One path: its stat and, for a directory, its children. */
  static final class Node {
    final Stat stat;
    final Map<String, Node> children;
    final long birth;

    Node(Stat stat, long birth) {
      this.stat = stat;
      this.birth = birth;
      this.children = stat.isDirectory() ? new HashMap<>() : Map.of();
    }
  }

  private TreeState() {}

  /** Records the tree at {@code root}. */
  static Node record(Path root) throws IOException {
    Node n = new Node(Posix.lstat(root), -1);
    fill(root, n);
    return n;
  }

  private static void fill(Path dir, Node node) throws IOException {
    for (String name : DirectoryWalker.sortedNames(dir)) {
      Path p = dir.resolve(name);
      Stat st = Posix.lstatOrNull(p);
      if (st == null) {
        continue;
      }
      Node c = new Node(st, st.isDirectory() ? BirthTime.of(p) : -1);
      node.children.put(name, c);
      if (st.isDirectory()) {
        fill(p, c);
      }
    }
  }

  /** Whether nothing the stat shows changed (ctime included: chmod, chown, writes all set it). */
  static boolean unchanged(Stat a, Stat b) {
    return a.type() == b.type()
        && a.mode() == b.mode()
        && a.uid() == b.uid()
        && a.gid() == b.gid()
        && a.size() == b.size()
        && a.ino() == b.ino()
        && a.rdev() == b.rdev()
        && a.mtime().equals(b.mtime())
        && a.ctime().equals(b.ctime());
  }

  /** Whether the metadata a layer records is the same (not the content, not ctime or inode). */
  static boolean sameMetadata(Stat a, Stat b) {
    return a.type() == b.type()
        && a.mode() == b.mode()
        && a.uid() == b.uid()
        && a.gid() == b.gid()
        && a.size() == b.size()
        && a.rdev() == b.rdev()
        && a.mtime().equals(b.mtime());
  }

  /**
   * The topmost layer file at {@code rel} (the original of a copied file), or null: layers are
   * looked at top first, stopping at a whiteout or at a non-directory parent.
   */
  static Path original(java.util.List<Path> layersTopFirst, String rel) throws IOException {
    for (Path layer : layersTopFirst) {
      Path p = layer.resolve(rel);
      Stat st = Posix.lstatOrNull(p);
      if (st != null) {
        return st.isWhiteout() ? null : p;
      }
    }
    return null;
  }
}
