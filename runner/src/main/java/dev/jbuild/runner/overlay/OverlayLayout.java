package dev.jbuild.runner.overlay;

import java.nio.file.Path;
import java.util.List;

/**
 * The directories of one overlay mount: lower directories with the top layer first, and an upper
 * and work directory on the same filesystem (both null for a read-only view).
 */
public record OverlayLayout(List<Path> lowersTopFirst, Path upper, Path work) {
  public OverlayLayout {
    lowersTopFirst = List.copyOf(lowersTopFirst);
    if (lowersTopFirst.isEmpty()) {
      throw new IllegalArgumentException("an overlay needs at least one lower directory");
    }
    if ((upper == null) != (work == null)) {
      throw new IllegalArgumentException("upper and work directories go together");
    }
  }

  /** A read-only view of the given lower directories. */
  public static OverlayLayout readOnly(List<Path> lowersTopFirst) {
    return new OverlayLayout(lowersTopFirst, null, null);
  }

  public boolean writable() {
    return upper != null;
  }
}
