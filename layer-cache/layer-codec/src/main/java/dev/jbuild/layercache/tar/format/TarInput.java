package dev.jbuild.layercache.tar.format;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A buffered byte source for the tar reader that knows its position, from a stream or from a file
 * channel. With a channel, skips are seeks and {@link #transferTo} copies in the kernel ({@code
 * copy_file_range}) instead of through this buffer.
 */
public final class TarInput {
  static final int BUFFER = 256 * 1024;
  // Decompressing streams may throw at the end of truncated input without returning the bytes
  // they decoded: small reads keep the loss small, so errors name the entry that was cut.
  static final int STREAM_READ = 32 * 1024;

  private final InputStream in;
  private final FileChannel ch;
  private final byte[] buf = new byte[BUFFER];
  private int bpos;
  private int blen;
  private long position;

  private TarInput(InputStream in, FileChannel ch) {
    this.in = in;
    this.ch = ch;
  }

  public static TarInput of(InputStream in) {
    return new TarInput(in, null);
  }

  public static TarInput of(FileChannel ch) {
    return new TarInput(null, ch);
  }

  /** Bytes consumed so far (the offset of the next byte in the tar). */
  public long position() {
    return position;
  }

  private boolean fill() throws IOException {
    bpos = 0;
    blen = 0;
    int n;
    if (ch != null) {
      n = ch.read(ByteBuffer.wrap(buf));
    } else {
      n = in.read(buf, 0, STREAM_READ);
      while (n == 0) {
        n = in.read(buf, 0, STREAM_READ);
      }
    }
    if (n <= 0) {
      return false;
    }
    blen = n;
    return true;
  }

  /** Reads up to {@code len} bytes; -1 at the end. */
  public int read(byte[] dst, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (bpos == blen && !fill()) {
      return -1;
    }
    int n = Math.min(len, blen - bpos);
    System.arraycopy(buf, bpos, dst, off, n);
    bpos += n;
    position += n;
    return n;
  }

  /** Reads exactly {@code len} bytes, or fewer only at the end; returns the count. */
  public int readFully(byte[] dst, int off, int len) throws IOException {
    int total = 0;
    while (total < len) {
      int n = read(dst, off + total, len - total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  /** Skips exactly {@code n} bytes; false when the input ends first. */
  public boolean skip(long n) throws IOException {
    long buffered = Math.min(n, blen - bpos);
    bpos += (int) buffered;
    position += buffered;
    long rest = n - buffered;
    if (rest == 0) {
      return true;
    }
    if (ch != null) {
      long target = ch.position() + rest;
      if (target > ch.size()) {
        position += ch.size() - ch.position();
        ch.position(ch.size());
        return false;
      }
      ch.position(target);
      position += rest;
      return true;
    }
    while (rest > 0) {
      long s = in.skip(rest);
      if (s <= 0) {
        if (in.read() < 0) {
          return false;
        }
        s = 1;
      }
      rest -= s;
      position += s;
    }
    return true;
  }

  /**
   * Copies exactly {@code n} bytes to {@code out} (in the kernel for a channel source); false when
   * the input ends first.
   */
  public boolean transferTo(long n, FileChannel out) throws IOException {
    int buffered = (int) Math.min(n, blen - bpos);
    ByteBuffer b = ByteBuffer.wrap(buf, bpos, buffered);
    while (b.hasRemaining()) {
      out.write(b);
    }
    bpos += buffered;
    position += buffered;
    long rest = n - buffered;
    if (rest == 0) {
      return true;
    }
    if (ch != null) {
      long from = ch.position();
      if (from + rest > ch.size()) {
        return false;
      }
      long done = 0;
      while (done < rest) {
        long t = ch.transferTo(from + done, rest - done, out);
        if (t <= 0) {
          return false;
        }
        done += t;
      }
      ch.position(from + rest);
      position += rest;
      return true;
    }
    while (rest > 0) {
      if (bpos == blen && !fill()) {
        return false;
      }
      int k = (int) Math.min(rest, blen - bpos);
      ByteBuffer bb = ByteBuffer.wrap(buf, bpos, k);
      while (bb.hasRemaining()) {
        out.write(bb);
      }
      bpos += k;
      position += k;
      rest -= k;
    }
    return true;
  }
}
