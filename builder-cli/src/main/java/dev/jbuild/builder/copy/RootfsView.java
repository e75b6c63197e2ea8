package dev.jbuild.builder.copy;

import dev.jbuild.layercache.fs.Dir;
import dev.jbuild.layercache.fs.Errno;
import dev.jbuild.layercache.fs.InRoot;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.PosixException;
import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.tar.TarNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The image's root filesystem as COPY, ADD and WORKDIR consult it: whether a path exists, what it
 * is, which file holds it. Paths are relative and clean ("usr/bin"; "" is the root).
 *
 * <p>{@link #layers} answers from the unpacked layer directories themselves, with overlayfs's rules
 * (the topmost layer that has a path wins; a 0/0 character device is a whiteout; an opaque
 * directory hides what lower layers have under it; a non-directory hides everything below its
 * name), so these steps need no overlay mount: looking up a handful of paths in 40 layers costs
 * about a hundred lstat calls instead of a mount and unmount.
 */
public interface RootfsView {
  /** The host file that holds {@code rel} (for lstat, xattrs, readlink, content), or null. */
  Path file(String rel) throws IOException;

  /** The lstat of {@code rel}, or null when the image has no such path. */
  default Stat lstat(String rel) throws IOException {
    Path p = file(rel);
    return p == null ? null : Posix.lstatOrNull(p);
  }

  /**
   * Resolves {@code path} (absolute or relative to "/") inside the image, following symlinks
   * relative to its root (an absolute target restarts at the root, ".." stops there): all
   * components, or all but the last one. Returns the clean relative path ("" for the root).
   */
  default String resolve(String path, boolean followLast) throws IOException {
    return InRoot.resolve(
        path,
        followLast,
        rel -> {
          Stat st = lstat(rel);
          return st != null && st.isSymlink() ? Files.readSymbolicLink(file(rel)).toString() : null;
        });
  }

  /** A directory that is the root filesystem (a mounted view, or a plain tree in tests). */
  static RootfsView of(Path root) {
    return rel -> {
      if (rel.isEmpty()) {
        return root;
      }
      Stat st = lookup(root, rel);
      return st == null || st == BLOCKED ? null : root.resolve(rel);
    };
  }

  /** The union of unpacked layer directories in overlay-lower form, top layer first. */
  static RootfsView layers(List<Path> topFirst) {
    List<Path> layers = List.copyOf(topFirst);
    return rel -> {
      if (rel.isEmpty()) {
        return layers.isEmpty() ? null : layers.getFirst();
      }
      String[] parts = rel.split("/");
      for (Path layer : layers) {
        Stat st = lookup(layer, rel);
        if (st == BLOCKED) {
          return null; // a non-directory (symlink, file, whiteout) above it here hides the rest
        }
        if (st != null) {
          return st.isWhiteout() ? null : layer.resolve(rel);
        }
        if (hides(layer, parts)) {
          return null;
        }
      }
      return null;
    };
  }

  /** {@link #lookup}'s answer when a parent of the path is not a directory in that tree. */
  Stat BLOCKED =
      new Stat(0, 0, 0, 0, 0, 0, 0, 0, 0, java.time.Instant.EPOCH, java.time.Instant.EPOCH);

  /**
   * The lstat of {@code rel} in the host directory {@code tree} with no symlink followed on the way
   * (a layer's symlinked parent never leads to the host); null when absent, {@link #BLOCKED} when a
   * parent in this tree is not a directory.
   */
  private static Stat lookup(Path tree, String rel) throws IOException {
    try (RootDir r = RootDir.open(tree);
        Dir parent = r.openDir(TarNames.parent(rel), true)) {
      return parent.lstat(TarNames.baseName(rel));
    } catch (PosixException e) {
      if (e.errno() == Errno.ELOOP || e.errno() == Errno.ENOTDIR) {
        return BLOCKED;
      }
      if (e.errno() == Errno.ENOENT) {
        return null;
      }
      throw e;
    }
  }

  /**
   * True when {@code layer}, which lacks the path, hides lower layers' copies of it: its deepest
   * ancestor present there is a whiteout, not a directory, or an opaque directory.
   */
  private static boolean hides(Path layer, String[] parts) throws IOException {
    for (int i = parts.length - 1; i >= 1; i--) {
      Path q = layer.resolve(String.join("/", java.util.Arrays.copyOf(parts, i)));
      Stat st = Posix.lstatOrNull(q);
      if (st == null) {
        continue;
      }
      if (st.isWhiteout() || !st.isDirectory()) {
        return true;
      }
      return Posix.lgetxattr(q, dev.jbuild.layercache.fs.UserNamespace.opaqueXattr())
          .map(v -> v.length == 1 && v[0] == 'y')
          .orElse(false);
    }
    return false;
  }
}
