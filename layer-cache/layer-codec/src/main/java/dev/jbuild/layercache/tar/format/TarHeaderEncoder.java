package dev.jbuild.layercache.tar.format;

import dev.jbuild.layercache.tar.EntryType;
import dev.jbuild.layercache.tar.TarEntry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes entry headers deterministically: a ustar header, preceded by a PAX extended header ('x')
 * when a field does not fit ustar (names or link names over 100 bytes or not ASCII, sizes of 8 GiB
 * and more, uids and gids over 2097151, mtimes before 1970 or after 2242) or when the entry has
 * xattrs ({@code SCHILY.xattr.NAME}). Owner and group names are always empty, PAX keys sorted, and
 * the PAX header's own fields are fixed (mode 0, owner 0:0, mtime 0), so equal entries always
 * encode to equal bytes.
 */
public final class TarHeaderEncoder {
  public static final int BLOCK = 512;
  private static final long MAX_OCTAL_7 = 07777777L;
  private static final long MAX_OCTAL_11 = 077777777777L;

  private TarHeaderEncoder() {}

  /** The header block(s) for {@code entry} with its mtime written as {@code mtimeSeconds}. */
  public static byte[] encode(TarEntry entry, long mtimeSeconds) {
    String name = entry.type() == EntryType.DIR ? dirName(entry.name()) : entry.name();
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    byte[] linkBytes = entry.linkName().getBytes(StandardCharsets.UTF_8);
    TreeMap<String, byte[]> pax = new TreeMap<>();
    if (nameBytes.length > 100 || !isAscii(nameBytes)) {
      pax.put("path", nameBytes);
    }
    if (linkBytes.length > 100 || !isAscii(linkBytes)) {
      pax.put("linkpath", linkBytes);
    }
    if (entry.size() > MAX_OCTAL_11) {
      pax.put("size", ascii(Long.toString(entry.size())));
    }
    if (entry.uid() > MAX_OCTAL_7) {
      pax.put("uid", ascii(Long.toString(entry.uid())));
    }
    if (entry.gid() > MAX_OCTAL_7) {
      pax.put("gid", ascii(Long.toString(entry.gid())));
    }
    if (mtimeSeconds < 0 || mtimeSeconds > MAX_OCTAL_11) {
      pax.put("mtime", ascii(Long.toString(mtimeSeconds)));
    }
    for (Map.Entry<String, byte[]> x : entry.xattrs().entrySet()) {
      pax.put("SCHILY.xattr." + x.getKey(), x.getValue());
    }
    byte[] header = new byte[BLOCK];
    putBytes(header, 0, 100, pax.containsKey("path") ? sanitized(nameBytes) : nameBytes);
    putOctal(header, 100, 8, entry.mode());
    putOctal(header, 108, 8, entry.uid() > MAX_OCTAL_7 ? 0 : entry.uid());
    putOctal(header, 116, 8, entry.gid() > MAX_OCTAL_7 ? 0 : entry.gid());
    putOctal(header, 124, 12, entry.size() > MAX_OCTAL_11 ? 0 : entry.size());
    putOctal(header, 136, 12, pax.containsKey("mtime") ? 0 : mtimeSeconds);
    header[156] = (byte) entry.type().flag();
    putBytes(header, 157, 100, pax.containsKey("linkpath") ? sanitized(linkBytes) : linkBytes);
    putMagic(header);
    if (entry.type().isDevice()) {
      putNumber(header, 329, 8, entry.devMajor());
      putNumber(header, 337, 8, entry.devMinor());
    }
    checksum(header);
    if (pax.isEmpty()) {
      return header;
    }
    byte[] data = paxData(pax);
    byte[] paxHeader = new byte[BLOCK];
    putBytes(paxHeader, 0, 100, sanitized(paxName(name).getBytes(StandardCharsets.UTF_8)));
    putOctal(paxHeader, 100, 8, 0);
    putOctal(paxHeader, 108, 8, 0);
    putOctal(paxHeader, 116, 8, 0);
    putOctal(paxHeader, 124, 12, data.length);
    putOctal(paxHeader, 136, 12, 0);
    paxHeader[156] = 'x';
    putMagic(paxHeader);
    checksum(paxHeader);
    int padded = (data.length + BLOCK - 1) / BLOCK * BLOCK;
    byte[] out = new byte[BLOCK + padded + BLOCK];
    System.arraycopy(paxHeader, 0, out, 0, BLOCK);
    System.arraycopy(data, 0, out, BLOCK, data.length);
    System.arraycopy(header, 0, out, BLOCK + padded, BLOCK);
    return out;
  }

  /** The PAX records "LEN key=value\n" (LEN counts the whole record) in key order. */
  static byte[] paxData(TreeMap<String, byte[]> records) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> r : records.entrySet()) {
      byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
      int rest = 1 + key.length + 1 + r.getValue().length + 1;
      int len = rest + 1;
      while (len != rest + Integer.toString(len).length()) {
        len = rest + Integer.toString(len).length();
      }
      out.writeBytes(ascii(Integer.toString(len)));
      out.write(' ');
      out.writeBytes(key);
      out.write('=');
      out.writeBytes(r.getValue());
      out.write('\n');
    }
    return out.toByteArray();
  }

  private static String dirName(String name) {
    return name.equals(".") ? "./" : name + "/";
  }

  /** Go's archive/tar convention: {@code dir/PaxHeaders.0/base}. */
  private static String paxName(String name) {
    String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    int slash = trimmed.lastIndexOf('/');
    String dir = slash < 0 ? "" : trimmed.substring(0, slash + 1);
    return dir + "PaxHeaders.0/" + trimmed.substring(slash + 1);
  }

  private static boolean isAscii(byte[] b) {
    for (byte x : b) {
      if (x < 0x20 && x != '\t' || x < 0) {
        return false;
      }
    }
    return true;
  }

  /** Non-ASCII bytes replaced by '_', cut to the 100 bytes of a ustar name field. */
  private static byte[] sanitized(byte[] b) {
    byte[] out = new byte[Math.min(100, b.length)];
    for (int i = 0; i < out.length; i++) {
      out[i] = b[i] < 0x20 ? (byte) '_' : b[i];
    }
    return out;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static void putBytes(byte[] h, int off, int width, byte[] value) {
    System.arraycopy(value, 0, h, off, Math.min(width, value.length));
  }

  private static void putMagic(byte[] h) {
    h[257] = 'u';
    h[258] = 's';
    h[259] = 't';
    h[260] = 'a';
    h[261] = 'r';
    h[262] = 0;
    h[263] = '0';
    h[264] = '0';
  }

  /** Zero-padded octal digits filling {@code width - 1} bytes, then NUL. */
  private static void putOctal(byte[] h, int off, int width, long value) {
    int digits = width - 1;
    long v = value;
    for (int i = digits - 1; i >= 0; i--) {
      h[off + i] = (byte) ('0' + (v & 7));
      v >>>= 3;
    }
    h[off + digits] = 0;
  }

  /** Octal when it fits, else GNU base-256 (high bit of the first byte set, big-endian). */
  private static void putNumber(byte[] h, int off, int width, long value) {
    if (value <= MAX_OCTAL_7 || width != 8) {
      putOctal(h, off, width, value);
      return;
    }
    long v = value;
    for (int i = width - 1; i >= 1; i--) {
      h[off + i] = (byte) v;
      v >>>= 8;
    }
    h[off] = (byte) 0x80;
  }

  private static void checksum(byte[] h) {
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    putOctal(h, 148, 7, sum);
    h[155] = ' ';
  }
}
