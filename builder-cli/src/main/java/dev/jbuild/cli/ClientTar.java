package dev.jbuild.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The client's tar writer: ustar headers, with a PAX header for what ustar cannot hold (long names
 * and link targets, sizes from 8 GiB, large ids). Whole-second mtimes, as jbuild's layer writer
 * stores them. The client's own (the engine's writer hashes what it writes and loads the native
 * SHA-256 and the FFM linker, a quarter of the client's start for nothing here).
 */
final class ClientTar {
  static final char FILE = '0';
  static final char SYMLINK = '2';
  static final char DIR = '5';

  private final OutputStream out;
  private final byte[] buf = new byte[1 << 16];

  ClientTar(OutputStream out) {
    this.out = out;
  }

  /** One entry's header; a FILE's {@code size} bytes follow with {@link #content}. */
  void header(
      String name, char type, int mode, long uid, long gid, long size, long mtime, String link)
      throws IOException {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] l = link.getBytes(StandardCharsets.UTF_8);
    StringBuilder pax = new StringBuilder();
    if (n.length > 100) {
      record(pax, "path", name);
    }
    if (l.length > 100) {
      record(pax, "linkpath", link);
    }
    if (size > 077777777777L) {
      record(pax, "size", Long.toString(size));
    }
    if (uid > 07777777) {
      record(pax, "uid", Long.toString(uid));
    }
    if (gid > 07777777) {
      record(pax, "gid", Long.toString(gid));
    }
    if (!pax.isEmpty()) {
      byte[] p = pax.toString().getBytes(StandardCharsets.UTF_8);
      out.write(block("PaxHeaders/" + tail(name), 'x', 0644, 0, 0, p.length, mtime, ""));
      out.write(p);
      pad(p.length);
    }
    out.write(block(name, type, mode, uid, gid, size, mtime, link));
  }

  void content(InputStream in, long size) throws IOException {
    long left = size;
    while (left > 0) {
      int r = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (r < 0) {
        throw new IOException("a file shrank while it was sent");
      }
      out.write(buf, 0, r);
      left -= r;
    }
    pad(size);
  }

  void finish() throws IOException {
    out.write(new byte[1024]);
  }

  private void pad(long size) throws IOException {
    int rest = (int) (size % 512);
    if (rest != 0) {
      out.write(new byte[512 - rest]);
    }
  }

  private static String tail(String name) {
    String s = name.substring(name.lastIndexOf('/') + 1);
    return s.length() > 80 ? s.substring(0, 80) : s;
  }

  private static void record(StringBuilder pax, String key, String value) {
    String body = " " + key + "=" + value + "\n";
    int len = body.getBytes(StandardCharsets.UTF_8).length;
    int total = len + Integer.toString(len).length();
    if (Integer.toString(total).length() != Integer.toString(len).length()) {
      total++;
    }
    pax.append(total).append(body);
  }

  private static byte[] block(
      String name, char type, int mode, long uid, long gid, long size, long mtime, String link) {
    byte[] h = new byte[512];
    put(h, 0, 100, cut(name.getBytes(StandardCharsets.UTF_8), 100));
    octal(h, 100, 8, mode & 07777);
    octal(h, 108, 8, Math.min(uid, 07777777));
    octal(h, 116, 8, Math.min(gid, 07777777));
    octal(h, 124, 12, Math.min(size, 077777777777L));
    octal(h, 136, 12, Math.max(0, Math.min(mtime, 077777777777L)));
    Arrays.fill(h, 148, 156, (byte) ' ');
    h[156] = (byte) type;
    put(h, 157, 100, cut(link.getBytes(StandardCharsets.UTF_8), 100));
    put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
    put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    octal(h, 148, 7, sum);
    h[155] = ' ';
    return h;
  }

  private static byte[] cut(byte[] b, int max) {
    return b.length <= max ? b : Arrays.copyOf(b, max);
  }

  private static void put(byte[] h, int off, int len, byte[] v) {
    System.arraycopy(v, 0, h, off, Math.min(len, v.length));
  }

  /** {@code len - 1} octal digits and a NUL. */
  private static void octal(byte[] h, int off, int len, long v) {
    String s = Long.toOctalString(v);
    int digits = len - 1;
    for (int i = 0; i < digits; i++) {
      int from = s.length() - digits + i;
      h[off + i] = (byte) (from < 0 ? '0' : s.charAt(from));
    }
    h[off + digits] = 0;
  }
}
