package dev.jbuild.layercache.store;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import java.util.List;

/**
 * What a prune removed (or, for a dry run, would remove). Blob bytes are split by what used them:
 * images that were dropped (dangling), cache records that were dropped, and blobs nothing
 * referenced.
 */
public record PruneReport(
    List<Descriptor> removedImages,
    List<String> removedCacheKeys,
    List<Digest> removedBlobs,
    long blobBytes,
    long imageBlobBytes,
    long cacheBlobBytes,
    long cacheRecordBytes,
    List<Digest> removedLayers,
    long layerBytes) {

  public PruneReport {
    removedImages = List.copyOf(removedImages);
    removedCacheKeys = List.copyOf(removedCacheKeys);
    removedBlobs = List.copyOf(removedBlobs);
    removedLayers = List.copyOf(removedLayers);
  }

  /** Everything freed: blobs, unpacked layers, record files. */
  public long totalBytes() {
    return blobBytes + layerBytes + cacheRecordBytes;
  }
}
