package dev.jbuild.layercache.registry;

import dev.jbuild.layercache.model.Digest;
import java.util.Objects;

/**
 * A manifest or index exactly as a registry sent it (or as it is to be sent): the bytes are what
 * the digest names, so they are never re-serialised.
 */
public record RawManifest(String mediaType, byte[] bytes, Digest digest) {
  public RawManifest {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(digest, "digest");
  }

  /** A manifest to push: its digest is the sha256 of the bytes. */
  public static RawManifest of(String mediaType, byte[] bytes) {
    return new RawManifest(mediaType, bytes.clone(), Digest.sha256(bytes));
  }

  public long size() {
    return bytes.length;
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawManifest m
        && m.mediaType.equals(mediaType)
        && m.digest.equals(digest)
        && java.util.Arrays.equals(m.bytes, bytes);
  }

  @Override
  public int hashCode() {
    return digest.hashCode();
  }

  @Override
  public String toString() {
    return "RawManifest[" + mediaType + ", " + digest + ", " + bytes.length + " bytes]";
  }
}
