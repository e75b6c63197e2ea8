package dev.jbuild.layercache.store;

import dev.jbuild.layercache.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;

/**
 * Streams a new blob into a temp file while hashing it. {@link #commit()} fsyncs the file and
 * renames it to {@code blobs/sha256/<hex>} (a blob is only ever visible under its verified digest);
 * {@link #close()} without a commit discards it. Not thread-safe.
 */
public final class BlobWriter extends OutputStream {
  private static final int BUFFER = 256 * 1024;

  private final BlobStore store;
  private final Path tmp;
  private final FileChannel channel;
  private final MessageDigest md = Digest.newSha256();
  private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
  private long size;
  private BlobInfo committed;
  private Digest digest;
  private boolean closed;

  BlobWriter(BlobStore store, Path tmp) throws IOException {
    this.store = store;
    this.tmp = tmp;
    this.channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
  }

  @Override
  public void write(int b) throws IOException {
    ensureOpen();
    if (!buffer.hasRemaining()) {
      drain();
    }
    buffer.put((byte) b);
    md.update((byte) b);
    size++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    ensureOpen();
    md.update(b, off, len);
    size += len;
    if (len >= BUFFER) {
      drain();
      ByteBuffer big = ByteBuffer.wrap(b, off, len);
      while (big.hasRemaining()) {
        channel.write(big);
      }
      return;
    }
    if (buffer.remaining() < len) {
      drain();
    }
    buffer.put(b, off, len);
  }

  /** Copies all of {@code in} into the blob; returns the number of bytes. */
  public long writeFrom(InputStream in) throws IOException {
    byte[] chunk = new byte[BUFFER];
    long total = 0;
    int n;
    while ((n = in.read(chunk)) > 0) {
      write(chunk, 0, n);
      total += n;
    }
    return total;
  }

  private void drain() throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
  }

  @Override
  public void flush() throws IOException {
    ensureOpen();
    drain();
  }

  /** The sha256 of what was written so far (after a commit: of the committed blob). */
  public Digest digest() {
    if (digest != null) {
      return digest;
    }
    try {
      return Digest.of(Digest.SHA256, ((MessageDigest) md.clone()).digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("sha256 cannot be cloned", e);
    }
  }

  /** Bytes written so far. */
  public long size() {
    return size;
  }

  /** Makes the blob visible under its sha256 digest. */
  public BlobInfo commit() throws IOException {
    return commit(null);
  }

  /**
   * Makes the blob visible after checking it against {@code expected} (when not null): a mismatch
   * discards the content and throws {@link DigestMismatchException}.
   */
  public BlobInfo commit(Digest expected) throws IOException {
    ensureOpen();
    if (committed != null) {
      return committed;
    }
    drain();
    channel.force(false);
    channel.close();
    closed = true;
    digest = Digest.of(Digest.SHA256, md.digest());
    try {
      if (expected != null && !expected.equals(digest)) {
        if (!expected.algorithm().equals(Digest.SHA256)) {
          Digest other = BlobStore.hash(tmp, expected);
          if (!other.equals(expected)) {
            throw new DigestMismatchException("blob", expected, other);
          }
          digest = expected;
        } else {
          throw new DigestMismatchException("blob", expected, digest);
        }
      }
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r--r--r--"));
      store.install(tmp, digest);
      committed = new BlobInfo(digest, size);
      return committed;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Discards the blob unless it was committed. */
  @Override
  public void close() throws IOException {
    if (!closed) {
      closed = true;
      channel.close();
      Files.deleteIfExists(tmp);
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("blob writer is closed");
    }
  }
}
