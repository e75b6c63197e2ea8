package dev.jbuild.layercache.store;

import dev.jbuild.layercache.model.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * A stored blob read once and verified on the way: every byte (read, skipped or transferred) goes
 * through the hash, and reaching the end checks the digest, throwing {@link
 * DigestMismatchException} (from {@link BlobStore#corrupt}) before the reader sees the end. A
 * reader that stops early verifies nothing: readers of whole blobs (push, save, export, unpack)
 * read to the end.
 */
final class VerifyingInputStream extends InputStream {
  private final InputStream in;
  private final Digest expected;
  private final BlobStore store;
  private final MessageDigest md;
  private final byte[] one = new byte[1];
  private boolean verified;

  VerifyingInputStream(InputStream in, Digest expected, BlobStore store) {
    this.in = in;
    this.expected = expected;
    this.store = store;
    this.md = expected.newMessageDigest();
  }

  @Override
  public int read() throws IOException {
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      md.update(b, off, n);
    } else if (n < 0) {
      end();
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] buf = new byte[(int) Math.min(64 * 1024, Math.max(1, n))];
    long done = 0;
    while (done < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - done));
      if (r < 0) {
        break;
      }
      done += r;
    }
    return done;
  }

  @Override
  public long transferTo(OutputStream out) throws IOException {
    byte[] buf = new byte[256 * 1024];
    long total = 0;
    int r;
    while ((r = read(buf, 0, buf.length)) >= 0) {
      out.write(buf, 0, r);
      total += r;
    }
    return total;
  }

  @Override
  public int available() throws IOException {
    return in.available();
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void end() throws IOException {
    if (verified) {
      return;
    }
    Digest actual = Digest.of(expected.algorithm(), md.digest());
    if (!actual.equals(expected)) {
      throw store.corrupt(expected, actual);
    }
    verified = true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
