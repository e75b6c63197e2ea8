package dev.jbuild.layercache.tar;

/** What {@link LayerApplier} does with whiteouts and opaque markers. */
public enum ApplyMode {
  /**
   * Flattened root filesystem: a whiteout {@code .wh.NAME} deletes NAME; an opaque marker removes
   * what its directory held before this layer (keeping what this layer put there).
   */
  FLAT,
  /**
   * An overlayfs lower directory: a whiteout becomes a 0/0 character device NAME; an opaque marker
   * becomes {@code trusted.overlay.opaque=y} on its directory.
   */
  OVERLAY,
  /** An ordinary archive (ADD): {@code .wh.} names are ordinary files. */
  PLAIN
}
