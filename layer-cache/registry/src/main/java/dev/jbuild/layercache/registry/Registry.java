package dev.jbuild.layercache.registry;

import dev.jbuild.layercache.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongConsumer;

/**
 * One registry host, spoken to through the distribution API (v2). This is jbuild's own small
 * interface: the pull, push and cache code use nothing else, and the contract tests run it against
 * a real registry, so the transport below it (JDK HTTP client, credentials from Jib) can change
 * without surprising them. Implementations are thread-safe; every failure is a {@link
 * RegistryException} with a message naming the host and repository.
 *
 * <p>Repositories are names inside the host ({@code library/debian}); references are tags or
 * digests.
 */
public interface Registry extends AutoCloseable {

  /** The host as written in image references ({@code docker.io}, {@code 127.0.0.1:5000}). */
  String host();

  /**
   * Checks that the registry answers and that the credentials (if any) are accepted: {@code GET
   * /v2/}, authenticating as the registry asks. Used by {@code jbuild login}.
   */
  void ping() throws IOException;

  /** The manifest or index named by a tag or digest, verified against its digest; empty on 404. */
  Optional<RawManifest> getManifest(String repository, String reference) throws IOException;

  /** Media type, digest and size of a manifest without its body (HEAD); empty on 404. */
  Optional<ManifestHead> headManifest(String repository, String reference) throws IOException;

  /** Uploads a manifest under a tag or its digest; returns the digest the registry stored. */
  Digest putManifest(String repository, String reference, RawManifest manifest) throws IOException;

  /** The size of a blob when the repository has it (HEAD), else empty. */
  OptionalLong blobSize(String repository, Digest digest) throws IOException;

  /**
   * Streams a blob into {@code sink}, verifying digest (and size, when {@code expectedSize >= 0)}
   * while it streams. On a mismatch it throws {@link RegistryException.Kind#DIGEST_MISMATCH} after
   * the last byte; callers write into something they can discard (a store {@code BlobWriter}).
   */
  void getBlob(
      String repository, Digest digest, long expectedSize, OutputStream sink, LongConsumer progress)
      throws IOException;

  /**
   * Asks the registry to mount a blob from another repository of the same host; true when it did
   * (the blob is now in {@code repository}), false when it did not (upload it instead).
   */
  boolean mountBlob(String repository, Digest digest, String fromRepository) throws IOException;

  /** Uploads a blob whose digest and size are known. */
  void putBlob(
      String repository, Digest digest, long size, BlobContent content, LongConsumer progress)
      throws IOException;

  /**
   * Uploads a blob of unknown size and digest: {@code body} writes it (for example a layer being
   * compressed), chunked, and the digest is computed on the way. Returns what was uploaded.
   */
  Uploaded putBlobStreaming(String repository, StreamingBody body, LongConsumer progress)
      throws IOException;

  @Override
  void close();

  /** What {@link #headManifest} tells. */
  record ManifestHead(String mediaType, Digest digest, long size) {}

  /** What {@link #putBlobStreaming} uploaded. */
  record Uploaded(Digest digest, long size) {}

  /** Blob content that can be opened more than once (an upload may be retried). */
  @FunctionalInterface
  interface BlobContent {
    InputStream open() throws IOException;

    static BlobContent ofFile(Path file) {
      return () -> Files.newInputStream(file);
    }

    static BlobContent ofBytes(byte[] bytes) {
      byte[] copy = bytes.clone();
      return () -> new java.io.ByteArrayInputStream(copy);
    }
  }

  /** Writes a blob's bytes to the given stream (which it must not close). */
  @FunctionalInterface
  interface StreamingBody {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * A streaming body that hashes what it writes itself (e.g. it also writes into a store {@code
   * BlobWriter}): the upload then trusts {@link #digest()} after {@link #writeTo} instead of
   * hashing the bytes a second time.
   */
  interface DigestingBody extends StreamingBody {
    Digest digest();
  }
}
