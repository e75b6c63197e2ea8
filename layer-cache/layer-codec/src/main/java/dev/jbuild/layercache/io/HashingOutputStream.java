package dev.jbuild.layercache.io;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.NativeSha256;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * An output stream that passes bytes to a delegate while computing their SHA-256 digest and
 * counting them. {@link #digest()} and {@link #size()} may be called at any time (the digest of
 * what was written so far). The store's {@code BlobWriter} extends it, so a layer written
 * uncompressed into a blob is hashed once: {@code LayerWriter} takes the diffId from the sink.
 */
public class HashingOutputStream extends OutputStream {
  private final OutputStream delegate;
  private MessageDigest md;
  private long size;

  /** Hashes with SHA-256 and writes through to {@code delegate}. */
  public HashingOutputStream(OutputStream delegate) {
    this(delegate, Digest.newSha256());
  }

  /** Hashes with {@code md} (fresh) and writes through to {@code delegate}. */
  public HashingOutputStream(OutputStream delegate, MessageDigest md) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.md = Objects.requireNonNull(md, "md");
  }

  /** Hashes and counts without writing anywhere. */
  public static HashingOutputStream discarding() {
    return new HashingOutputStream(OutputStream.nullOutputStream());
  }

  @Override
  public void write(int b) throws IOException {
    md.update((byte) b);
    delegate.write(b);
    size++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    md.update(b, off, len);
    delegate.write(b, off, len);
    size += len;
  }

  @Override
  public void flush() throws IOException {
    delegate.flush();
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }

  /** The digest of everything written so far. */
  public Digest digest() {
    MessageDigest copy;
    try {
      copy = (MessageDigest) md.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("digest cannot be cloned: " + md.getAlgorithm(), e);
    }
    String alg = md.getAlgorithm().equals("SHA-512") ? Digest.SHA512 : Digest.SHA256;
    return Digest.of(alg, copy.digest());
  }

  /** The number of bytes written so far. */
  public long size() {
    return size;
  }

  /**
   * The running SHA-256 state, to resume this hash in another process; empty unless the hash is
   * libcrypto's ({@link NativeSha256}), whose state can be saved.
   */
  public java.util.Optional<byte[]> saveState() {
    return md instanceof NativeSha256 n
        ? java.util.Optional.of(n.state())
        : java.util.Optional.empty();
  }

  /**
   * Continues as if the {@code size} bytes whose hash state is {@code state} had been written
   * through this stream (the caller put those bytes into the delegate's destination itself).
   *
   * @return false (and nothing changed) when the state cannot be restored
   */
  protected boolean resumeHash(byte[] state, long bytes) {
    if (size != 0) {
      throw new IllegalStateException("a hash can only be resumed before anything is written");
    }
    java.util.Optional<MessageDigest> restored = NativeSha256.resume(state);
    if (restored.isEmpty()) {
      return false;
    }
    md = restored.get();
    size = bytes;
    return true;
  }
}
