package dev.jbuild.layercache.tar;

import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/**
 * Entry names in their canonical form and the canonical order of a layer.
 *
 * <p>Canonical names are relative, '/'-separated, with no empty, "." or ".." component, no leading
 * "./" or "/", no trailing "/" and no NUL; the root directory itself is ".". The canonical order is
 * a depth-first walk with siblings sorted by the unsigned bytes of their UTF-8 names: names compare
 * component by component, and a directory precedes everything inside it.
 */
public final class TarNames {
  public static final String ROOT = ".";
  public static final String WHITEOUT_PREFIX = ".wh.";
  public static final String OPAQUE_MARKER = ".wh..wh..opq";

  /** Compares canonical names in layer order (see the class comment). */
  public static final Comparator<String> ORDER = TarNames::compare;

  private TarNames() {}

  /** The reason {@code name} is not canonical, or null when it is. */
  public static String problem(String name) {
    if (name == null || name.isEmpty()) {
      return "empty name";
    }
    if (name.equals(ROOT)) {
      return null;
    }
    if (name.indexOf('\0') >= 0) {
      return "name contains a NUL byte";
    }
    if (name.startsWith("/")) {
      return "absolute name";
    }
    if (name.endsWith("/")) {
      return "trailing '/'";
    }
    int start = 0;
    while (start <= name.length()) {
      int slash = name.indexOf('/', start);
      int end = slash < 0 ? name.length() : slash;
      String part = name.substring(start, end);
      if (part.isEmpty()) {
        return "empty path component";
      }
      if (part.equals(".") || part.equals("..")) {
        return "'" + part + "' path component";
      }
      if (slash < 0) {
        break;
      }
      start = slash + 1;
    }
    return null;
  }

  /**
   * Cleans a name read from a tar header: strips leading "/" and "./", a trailing "/", repeated
   * slashes and "." components. Returns {@link #ROOT} for the root. ".." components are kept, so
   * callers can reject them with {@link #problem}.
   */
  public static String clean(String raw) {
    StringBuilder out = new StringBuilder(raw.length());
    int start = 0;
    int n = raw.length();
    while (start <= n) {
      int slash = raw.indexOf('/', start);
      int end = slash < 0 ? n : slash;
      if (end > start && !(end - start == 1 && raw.charAt(start) == '.')) {
        if (!out.isEmpty()) {
          out.append('/');
        }
        out.append(raw, start, end);
      }
      if (slash < 0) {
        break;
      }
      start = slash + 1;
    }
    return out.isEmpty() ? ROOT : out.toString();
  }

  /** The parent of a canonical name ("." for top-level names and for the root). */
  public static String parent(String name) {
    int slash = name.lastIndexOf('/');
    return slash < 0 ? ROOT : name.substring(0, slash);
  }

  /** The last component of a canonical name. */
  public static String baseName(String name) {
    int slash = name.lastIndexOf('/');
    return slash < 0 ? name : name.substring(slash + 1);
  }

  /** {@code parent/child}, or {@code child} when parent is the root. */
  public static String join(String parent, String child) {
    return parent.equals(ROOT) ? child : parent + "/" + child;
  }

  /** Compares two canonical names in layer order. */
  public static int compare(String a, String b) {
    if (a.equals(b)) {
      return 0;
    }
    if (a.equals(ROOT)) {
      return -1;
    }
    if (b.equals(ROOT)) {
      return 1;
    }
    byte[] x = a.getBytes(StandardCharsets.UTF_8);
    byte[] y = b.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(x.length, y.length);
    for (int i = 0; i < n; i++) {
      int cx = x[i] & 0xff;
      int cy = y[i] & 0xff;
      if (cx != cy) {
        // '/' ends a component: it sorts before every other byte, so "a/b" < "a-c".
        if (cx == '/') {
          return -1;
        }
        if (cy == '/') {
          return 1;
        }
        return cx - cy;
      }
    }
    return x.length - y.length;
  }

  /** Compares two file names (single components) by their UTF-8 bytes. */
  public static int compareComponents(String a, String b) {
    return java.util.Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
