package dev.jbuild.layercache.tar;

import dev.jbuild.layercache.fs.Posix;
import java.util.Objects;

/**
 * How {@link LayerApplier} applies a layer.
 *
 * @param mode FLAT, OVERLAY or PLAIN
 * @param sameOwner apply the entries' uid/gid (needs root); when false files belong to the caller
 *     and device nodes that cannot be created are skipped
 */
public record ApplyOptions(ApplyMode mode, boolean sameOwner) {
  public ApplyOptions {
    Objects.requireNonNull(mode, "mode");
  }

  /** {@code mode}, with owners applied when running as root. */
  public static ApplyOptions of(ApplyMode mode) {
    return new ApplyOptions(mode, Posix.geteuid() == 0);
  }

  public ApplyOptions withSameOwner(boolean same) {
    return new ApplyOptions(mode, same);
  }
}
