package dev.jbuild.layercache.store;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import java.util.Objects;

/** A stored blob: its digest and size. */
public record BlobInfo(Digest digest, long size) {
  public BlobInfo {
    Objects.requireNonNull(digest, "digest");
  }

  public Descriptor toDescriptor(String mediaType) {
    return Descriptor.of(mediaType, digest, size);
  }
}
