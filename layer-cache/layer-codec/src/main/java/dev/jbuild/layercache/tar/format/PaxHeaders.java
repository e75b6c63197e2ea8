package dev.jbuild.layercache.tar.format;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Parses PAX extended header data ("LEN key=value\n" records); values stay raw bytes. */
public final class PaxHeaders {
  private PaxHeaders() {}

  /**
   * The records of {@code data}, in order (later duplicates win).
   *
   * @throws IllegalArgumentException describing the first malformed record
   */
  public static Map<String, byte[]> parse(byte[] data, int length) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    int pos = 0;
    while (pos < length) {
      if (data[pos] == 0) {
        break; // some writers pad with NULs
      }
      int space = pos;
      long len = 0;
      while (space < length && data[space] >= '0' && data[space] <= '9') {
        len = len * 10 + (data[space] - '0');
        if (len > length) {
          throw new IllegalArgumentException("PAX record length beyond the header at byte " + pos);
        }
        space++;
      }
      if (space == pos || space >= length || data[space] != ' ') {
        throw new IllegalArgumentException("malformed PAX record length at byte " + pos);
      }
      int end = pos + (int) len;
      if (len <= 0 || end > length || data[end - 1] != '\n') {
        throw new IllegalArgumentException("malformed PAX record at byte " + pos);
      }
      int eq = -1;
      for (int i = space + 1; i < end - 1; i++) {
        if (data[i] == '=') {
          eq = i;
          break;
        }
      }
      if (eq < 0) {
        throw new IllegalArgumentException("PAX record without '=' at byte " + pos);
      }
      String key = new String(data, space + 1, eq - space - 1, StandardCharsets.UTF_8);
      byte[] value = new byte[end - 1 - (eq + 1)];
      System.arraycopy(data, eq + 1, value, 0, value.length);
      out.put(key, value);
      pos = end;
    }
    return out;
  }
}
