package dev.jbuild.layercache.tar;

import dev.jbuild.layercache.model.Digest;
import java.util.Objects;

/**
 * What writing a layer produced.
 *
 * @param diffId sha256 of the uncompressed tar (the config's rootfs.diff_ids entry)
 * @param uncompressedSize length of the uncompressed tar
 * @param blobDigest digest of the bytes written to the sink (equals diffId when uncompressed)
 * @param blobSize number of bytes written to the sink
 */
public record LayerDigests(Digest diffId, long uncompressedSize, Digest blobDigest, long blobSize) {
  public LayerDigests {
    Objects.requireNonNull(diffId, "diffId");
    Objects.requireNonNull(blobDigest, "blobDigest");
  }
}
