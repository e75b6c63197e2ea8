package dev.jbuild.layercache.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Raw tar bytes written header by header (checksums right, anything else as the caller says), for
 * tars that no library would write: huge PAX headers, hostile PAX numbers. Streams to an {@link
 * OutputStream}, so a large fixture never sits in memory.
 */
public final class HostileTars {
  private static final int BLOCK = 512;
  private final OutputStream out;

  public HostileTars(OutputStream out) {
    this.out = out;
  }

  /** A tar in memory: {@code new HostileTars().file(...).end()} then {@link #bytes}. */
  public static HostileTars inMemory() {
    return new HostileTars(new ByteArrayOutputStream());
  }

  public byte[] bytes() {
    return ((ByteArrayOutputStream) out).toByteArray();
  }

  /** A header of {@code type} for {@code name} with {@code size} bytes of data to follow. */
  public HostileTars header(String name, char type, long size) throws IOException {
    byte[] h = new byte[BLOCK];
    put(h, 0, 100, name);
    put(h, 100, 8, "0000644");
    put(h, 108, 8, "0000000");
    put(h, 116, 8, "0000000");
    put(h, 124, 12, String.format("%011o", size));
    put(h, 136, 12, "00000000000");
    h[156] = (byte) type;
    put(h, 257, 6, "ustar");
    put(h, 263, 2, "00");
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, 8, String.format("%06o", sum));
    h[154] = 0;
    h[155] = ' ';
    out.write(h);
    return this;
  }

  /** A regular file with {@code content}. */
  public HostileTars file(String name, String content) throws IOException {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    header(name, '0', data.length);
    return data(data);
  }

  /** A PAX header ('x' local, 'g' global) holding one record {@code key=value}. */
  public HostileTars pax(char type, String key, String value) throws IOException {
    return data(type, record(key, value.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * A PAX header ('x' or 'g') of one record {@code key=} followed by {@code valueBytes} copies of
   * 'a', streamed (for headers of many megabytes).
   */
  public HostileTars bigPax(char type, String key, int valueBytes) throws IOException {
    byte[] tail = ("=").getBytes(StandardCharsets.UTF_8);
    int body = key.length() + tail.length + valueBytes + 2; // ' ' and '\n'
    int len = body;
    while (String.valueOf(len).length() + body != len) {
      len = String.valueOf(len).length() + body;
    }
    header("PaxHeaders/big", type, len);
    out.write((len + " " + key + "=").getBytes(StandardCharsets.UTF_8));
    byte[] chunk = new byte[64 * 1024];
    java.util.Arrays.fill(chunk, (byte) 'a');
    int left = valueBytes;
    while (left > 0) {
      int n = Math.min(left, chunk.length);
      out.write(chunk, 0, n);
      left -= n;
    }
    out.write('\n');
    pad(len);
    return this;
  }

  /** The end-of-archive marker (two zero blocks). */
  public HostileTars end() throws IOException {
    out.write(new byte[2 * BLOCK]);
    out.flush();
    return this;
  }

  private HostileTars data(char type, byte[] data) throws IOException {
    header("PaxHeaders/x", type, data.length);
    return data(data);
  }

  private HostileTars data(byte[] data) throws IOException {
    out.write(data);
    pad(data.length);
    return this;
  }

  private void pad(long size) throws IOException {
    out.write(new byte[(int) ((BLOCK - size % BLOCK) % BLOCK)]);
  }

  /** One PAX record, "LEN key=value\n" with LEN counting itself. */
  public static byte[] record(String key, byte[] value) {
    int body = 1 + key.length() + 1 + value.length + 1;
    int len = body;
    while (String.valueOf(len).length() + body != len) {
      len = String.valueOf(len).length() + body;
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes((len + " " + key + "=").getBytes(StandardCharsets.UTF_8));
    b.writeBytes(value);
    b.write('\n');
    return b.toByteArray();
  }

  private static void put(byte[] h, int off, int width, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(b, 0, h, off, Math.min(width, b.length));
  }
}
