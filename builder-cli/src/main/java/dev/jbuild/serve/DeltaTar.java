package dev.jbuild.serve;

import dev.jbuild.layercache.tar.EntryType;
import dev.jbuild.layercache.tar.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * A minimal PAX tar writer for {@link ContextSync}'s delta: entries as the layer codec's reader
 * gave them, each with a PAX header holding its path, link, size, ids, mtime (nanoseconds) and
 * xattrs, so the reader reads back exactly what was read. Only what the confined applier then
 * reads; never a file of the host.
 */
final class DeltaTar implements AutoCloseable {
  private static final int BLOCK = 512;
  private final OutputStream out;
  private long written;

  DeltaTar(OutputStream out) {
    this.out = out;
  }

  void add(TarEntry e, InputStream content) throws IOException {
    StringBuilder pax = new StringBuilder();
    record(
        pax,
        "path",
        e.type() == EntryType.DIR && !e.name().endsWith("/") ? e.name() + "/" : e.name());
    if (e.linkName() != null && !e.linkName().isEmpty()) {
      record(pax, "linkpath", e.linkName());
    }
    long size = e.type() == EntryType.FILE ? e.size() : 0;
    record(pax, "size", Long.toString(size));
    record(pax, "uid", Long.toString(e.uid()));
    record(pax, "gid", Long.toString(e.gid()));
    long secs = e.mtime().getEpochSecond();
    int nanos = e.mtime().getNano();
    record(
        pax, "mtime", nanos == 0 ? Long.toString(secs) : secs + "." + String.format("%09d", nanos));
    byte[] paxBytes;
    java.io.ByteArrayOutputStream pb = new java.io.ByteArrayOutputStream();
    pb.write(pax.toString().getBytes(StandardCharsets.UTF_8));
    for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
      binaryRecord(pb, "SCHILY.xattr." + x.getKey(), x.getValue());
    }
    paxBytes = pb.toByteArray();
    header("PaxHeader", 'x', 0644, paxBytes.length, 0, null, 0, 0);
    write(paxBytes, paxBytes.length);
    header(
        "entry", e.type().flag(), e.mode() & 07777, size, secs, null, e.devMajor(), e.devMinor());
    if (size > 0) {
      byte[] buf = new byte[64 * 1024];
      long left = size;
      while (left > 0) {
        int n = content.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          throw new IOException("entry " + e.name() + " ended early");
        }
        out.write(buf, 0, n);
        left -= n;
      }
      pad(size);
    }
  }

  private void write(byte[] b, int len) throws IOException {
    out.write(b, 0, len);
    pad(len);
  }

  private void pad(long len) throws IOException {
    int rest = (int) ((BLOCK - len % BLOCK) % BLOCK);
    out.write(new byte[rest]);
  }

  private void header(
      String name, char type, int mode, long size, long mtime, String link, int major, int minor)
      throws IOException {
    byte[] h = new byte[BLOCK];
    put(h, 0, 100, name);
    octal(h, 100, 8, mode);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 124, 12, size < 077777777777L ? size : 0);
    octal(h, 136, 12, Math.max(0, Math.min(mtime, 077777777777L)));
    Arrays.fill(h, 148, 156, (byte) ' ');
    h[156] = (byte) type;
    if (link != null) {
      put(h, 157, 100, link);
    }
    put(h, 257, 6, "ustar");
    put(h, 263, 2, "00");
    octal(h, 329, 8, major);
    octal(h, 337, 8, minor);
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    octal(h, 148, 7, sum);
    out.write(h);
    written++;
  }

  private static void put(byte[] h, int off, int len, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(b, 0, h, off, Math.min(len, b.length));
  }

  private static void octal(byte[] h, int off, int len, long v) {
    String s = Long.toOctalString(v);
    String padded = "0".repeat(Math.max(0, len - 1 - s.length())) + s;
    put(h, off, len - 1, padded);
  }

  /** One PAX record: {@code "%d %s=%s\n"}, the length counting itself. */
  private static void record(StringBuilder pax, String key, String value) {
    int body =
        key.getBytes(StandardCharsets.UTF_8).length
            + value.getBytes(StandardCharsets.UTF_8).length
            + 3;
    int len = body + Integer.toString(body).length();
    if (Integer.toString(len).length() != Integer.toString(body).length()) {
      len++;
    }
    pax.append(len).append(' ').append(key).append('=').append(value).append('\n');
  }

  private static void binaryRecord(java.io.ByteArrayOutputStream pb, String key, byte[] value)
      throws IOException {
    int body = key.getBytes(StandardCharsets.UTF_8).length + value.length + 3;
    int len = body + Integer.toString(body).length();
    if (Integer.toString(len).length() != Integer.toString(body).length()) {
      len++;
    }
    pb.write((len + " " + key + "=").getBytes(StandardCharsets.UTF_8));
    pb.write(value);
    pb.write('\n');
  }

  boolean isEmpty() {
    return written == 0;
  }

  @Override
  public void close() throws IOException {
    out.write(new byte[2 * BLOCK]);
    out.flush();
  }
}
