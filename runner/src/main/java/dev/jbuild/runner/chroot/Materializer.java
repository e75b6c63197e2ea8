package dev.jbuild.runner.chroot;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.fs.UserNamespace;
import dev.jbuild.layercache.tar.DirectoryWalker;
import dev.jbuild.runner.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Builds a layer chain's merged tree as plain directories: the unpacked layers (overlay form:
 * whiteouts are 0/0 character devices, opaque directories carry the opaque xattr) applied base
 * first, each file copied with its metadata. A directory takes the metadata of the topmost layer
 * that has it, as overlayfs shows it.
 */
final class Materializer {
  private static final String OPAQUE_XATTR = UserNamespace.opaqueXattr();
  private static final byte[] YES = "y".getBytes(StandardCharsets.US_ASCII);

  private Materializer() {}

  /** Fills the empty directory {@code rootfs} with the merged tree of {@code layersBaseFirst}. */
  static void build(List<Path> layersBaseFirst, Path rootfs) throws IOException {
    for (Path layer : layersBaseFirst) {
      apply(layer, rootfs);
      Stat root = Posix.lstat(layer);
      FileCopies.setMetadata(layer, root, rootfs);
    }
  }

  private static void apply(Path src, Path dst) throws IOException {
    for (String n : DirectoryWalker.sortedNames(src)) {
      Path s = src.resolve(n);
      Path d = dst.resolve(n);
      Stat st = Posix.lstatOrNull(s);
      if (st == null) {
        continue;
      }
      Stat cur = Posix.lstatOrNull(d);
      if (st.isWhiteout()) {
        if (cur != null) {
          Trees.delete(d);
        }
        continue;
      }
      if (st.isDirectory()) {
        if (cur != null && (!cur.isDirectory() || isOpaque(s))) {
          Trees.delete(d);
          cur = null;
        }
        if (cur == null) {
          Files.createDirectory(d);
        }
        apply(s, d);
        FileCopies.setMetadata(s, st, d);
        continue;
      }
      if (cur != null) {
        Trees.delete(d);
      }
      FileCopies.copyLeaf(s, st, d);
    }
  }

  static boolean isOpaque(Path dir) throws IOException {
    return Posix.lgetxattr(dir, OPAQUE_XATTR).map(v -> Arrays.equals(v, YES)).orElse(false);
  }
}
