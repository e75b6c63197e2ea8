package dev.jbuild.runner.diff;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What the lower layers show at one directory, resolved the way overlayfs does: the directories of
 * that path in each layer that still contributes (top first), stopping at a whiteout, an opaque
 * directory or a non-directory. Only directories of the upper tree are ever looked up, so the diff
 * never walks the lower layers.
 */
final class LowerView {
  static final String OPAQUE_XATTR = dev.jbuild.layercache.fs.UserNamespace.opaqueXattr();
  private static final byte[] YES = "y".getBytes(StandardCharsets.US_ASCII);

  /** Nothing below (a new or opaque directory). */
  static final LowerView NONE = new LowerView(List.of());

  private final List<Path> dirsTopFirst;

  LowerView(List<Path> dirsTopFirst) {
    this.dirsTopFirst = List.copyOf(dirsTopFirst);
  }

  /** The lower view of the root: every layer's root. */
  static LowerView root(List<Path> layersTopFirst) {
    return new LowerView(layersTopFirst);
  }

  /**
   * What the lowers show for child {@code name}: its topmost entry and, for a directory, its view.
   */
  record Child(Path path, Stat stat, LowerView view) {}

  Optional<Child> child(String name) throws IOException {
    Path first = null;
    Stat firstStat = null;
    List<Path> dirs = new ArrayList<>();
    for (Path dir : dirsTopFirst) {
      Path p = dir.resolve(name);
      Stat st = Posix.lstatOrNull(p);
      if (st == null) {
        continue;
      }
      if (st.isWhiteout()) {
        break;
      }
      if (first == null) {
        first = p;
        firstStat = st;
      }
      if (!st.isDirectory()) {
        break;
      }
      dirs.add(p);
      if (isOpaque(p)) {
        break;
      }
    }
    if (first == null) {
      return Optional.empty();
    }
    return Optional.of(
        new Child(first, firstStat, firstStat.isDirectory() ? new LowerView(dirs) : NONE));
  }

  static boolean isOpaque(Path dir) throws IOException {
    return Posix.lgetxattr(dir, OPAQUE_XATTR).map(v -> Arrays.equals(v, YES)).orElse(false);
  }
}
