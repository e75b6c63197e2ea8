package dev.jbuild.layercache.store;

import dev.jbuild.layercache.io.AsyncChannelOutputStream;
import dev.jbuild.layercache.io.HashingOutputStream;
import dev.jbuild.layercache.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Streams a new blob into a temp file while hashing it (it is an {@link HashingOutputStream}, so a
 * layer written uncompressed into it is hashed once). {@link #commit()} fsyncs the file and renames
 * it to {@code blobs/sha256/<hex>}: a blob is only ever visible under its verified digest. {@link
 * #close()} without a commit discards it. Not thread-safe.
 */
public final class BlobWriter extends HashingOutputStream {
  private static final int BUFFER = 256 * 1024;

  private final BlobStore store;
  private final Path tmp;
  private final FileChannel channel;
  private final AsyncChannelOutputStream out;
  private BlobInfo committed;
  private boolean closed;

  private BlobWriter(BlobStore store, Path tmp, FileChannel channel, AsyncChannelOutputStream out) {
    super(out);
    this.store = store;
    this.tmp = tmp;
    this.channel = channel;
    this.out = out;
  }

  static BlobWriter create(BlobStore store, Path tmp) throws IOException {
    FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
    // hashing stays in the caller's thread, page-cache copies go to a second one (see
    // AsyncChannelOutputStream): a large layer is written on two cores
    return new BlobWriter(store, tmp, ch, new AsyncChannelOutputStream(ch, 1 << 20, 4));
  }

  @Override
  public void write(int b) throws IOException {
    ensureOpen();
    super.write(b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    ensureOpen();
    super.write(b, off, len);
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

  /**
   * Starts the blob with the first {@code length} bytes of {@code source} (copied in the kernel,
   * not read) and the SHA-256 state those bytes hash to, saved when they were first written: a
   * rebuilt layer whose beginning did not change reuses the previous layer's bytes and hash. The
   * commit still verifies nothing else: the caller vouches for the state (it came from hashing
   * exactly these bytes), and the final digest covers everything.
   *
   * @return false (nothing written) when the hash state cannot be restored
   */
  public boolean startFrom(Path source, long length, byte[] hashState) throws IOException {
    ensureOpen();
    if (size() != 0) {
      throw new IllegalStateException("startFrom must come before any write");
    }
    if (!resumeHash(hashState, length)) {
      return false;
    }
    try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ)) {
      if (in.size() < length) {
        throw new IOException(source + " is shorter than the " + length + " bytes to reuse");
      }
      long done = 0;
      while (done < length) {
        long n = in.transferTo(done, length - done, channel);
        if (n <= 0) {
          throw new IOException("cannot copy from " + source);
        }
        done += n;
      }
    }
    return true;
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
    if (committed != null) {
      return committed;
    }
    ensureOpen();
    out.close();
    channel.force(false);
    channel.close();
    closed = true;
    Digest digest = digest();
    try {
      if (expected != null && !expected.equals(digest)) {
        if (expected.algorithm().equals(Digest.SHA256)) {
          throw new DigestMismatchException("blob", expected, digest);
        }
        Digest other = BlobStore.hash(tmp, expected);
        if (!other.equals(expected)) {
          throw new DigestMismatchException("blob", expected, other);
        }
        digest = expected;
      }
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r--r--r--"));
      store.install(tmp, digest);
      committed = new BlobInfo(digest, size());
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
      out.abort();
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
