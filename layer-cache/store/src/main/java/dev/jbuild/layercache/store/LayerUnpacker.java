package dev.jbuild.layercache.store;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.MediaTypes.LayerCompression;
import java.io.IOException;
import java.nio.file.Path;

/** Unpacks a layer blob into a directory in overlay-lower form (whiteouts as 0/0 devices). */
@FunctionalInterface
public interface LayerUnpacker {
  /**
   * Unpacks {@code blobFile} (compressed as {@code compression}) into the existing empty directory
   * {@code dir}.
   *
   * @return the sha256 of the uncompressed tar (the diff ID) when it was computed while reading, or
   *     null when it was not (an uncompressed blob, whose digest already is its diff ID)
   */
  Digest unpack(Path blobFile, LayerCompression compression, Path dir) throws IOException;
}
