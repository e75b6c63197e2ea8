package dev.jbuild.runner.chroot;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.tar.DirectoryWalker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Copies one file-system object with its metadata: owner, all 07777 mode bits (set after the owner,
 * which clears setuid), the kept xattrs (after the owner too: chown drops security.capability),
 * times. Regular files are copied by the kernel (copy_file_range through {@link Files#copy}, which
 * clones extents where the file system shares them); never hard-linked, so a step never writes into
 * the store's layers.
 */
public final class FileCopies {
  static final Predicate<String> KEPT_XATTRS = DirectoryWalker.DEFAULT_XATTRS;

  private FileCopies() {}

  /**
   * Creates {@code dst} (which must not exist) as a copy of non-directory {@code src}; sockets are
   * skipped (false).
   */
  static boolean copyLeaf(Path src, Stat st, Path dst) throws IOException {
    switch (st.type()) {
      case Stat.S_IFREG -> Files.copy(src, dst);
      case Stat.S_IFLNK -> Files.createSymbolicLink(dst, Files.readSymbolicLink(src));
      case Stat.S_IFCHR, Stat.S_IFBLK ->
          Posix.mknod(dst, st.type() | 0600, st.rdevMajor(), st.rdevMinor());
      case Stat.S_IFIFO -> Posix.mkfifo(dst, 0600);
      default -> {
        return false;
      }
    }
    setMetadata(src, st, dst);
    return true;
  }

  /** Gives {@code dst} the owner, mode, kept xattrs and mtime of {@code src} (stat {@code st}). */
  static void setMetadata(Path src, Stat st, Path dst) throws IOException {
    Posix.lchown(dst, st.uid(), st.gid());
    if (!st.isSymlink()) {
      Posix.chmod(dst, st.permissions());
    }
    if (!st.isSymlink()) {
      for (Map.Entry<String, byte[]> x : Posix.lgetxattrs(src).entrySet()) {
        if (KEPT_XATTRS.test(x.getKey())) {
          Posix.lsetxattr(dst, x.getKey(), x.getValue());
        }
      }
    }
    Posix.utimensat(dst, st.mtime(), st.mtime());
  }

  /** Copies the tree at {@code src} to {@code dst} (absent), metadata included. */
  public static void copyTree(Path src, Path dst) throws IOException {
    Stat st = Posix.lstatOrNull(src);
    if (st == null) {
      return;
    }
    if (!st.isDirectory()) {
      copyLeaf(src, st, dst);
      return;
    }
    Files.createDirectory(dst);
    for (String n : DirectoryWalker.sortedNames(src)) {
      copyTree(src.resolve(n), dst.resolve(n));
    }
    setMetadata(src, st, dst);
  }

  /** Whether two regular files have the same bytes. */
  static boolean sameContent(Path a, Path b) throws IOException {
    try (InputStream x = Files.newInputStream(a);
        InputStream y = Files.newInputStream(b)) {
      byte[] bx = new byte[65536];
      byte[] by = new byte[65536];
      while (true) {
        int nx = x.readNBytes(bx, 0, bx.length);
        int ny = y.readNBytes(by, 0, by.length);
        if (nx != ny || !java.util.Arrays.equals(bx, 0, nx, by, 0, ny)) {
          return false;
        }
        if (nx == 0) {
          return true;
        }
      }
    }
  }
}
