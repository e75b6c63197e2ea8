package dev.jbuild.layercache.tar;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Entry names in their canonical form and the canonical order of a layer.
 *
 * <p>Canonical names are relative, '/'-separated, with no empty, "." or ".." component, no leading
 * "./" or "/", no trailing "/" and no NUL; the root directory itself is ".". The canonical order is
 * a depth-first walk with siblings sorted by the unsigned bytes of their UTF-8 names: names compare
 * component by component, and a directory precedes everything inside it. One exception: an opaque
 * marker {@code .wh..wh..opq} sorts before all its siblings, so it comes right after its directory,
 * before anything the same layer puts there. That is where moby's and BuildKit's writers put it and
 * where the OCI layer spec asks writers to put whiteouts; readers (moby, containerd, this module's
 * {@link LayerApplier}) accept it anywhere in its directory, keeping what the layer itself wrote.
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

  /**
   * The components of a slash-separated path resolved lexically, as inside a root: empty and "."
   * components dropped, ".." removing the one before it and never climbing above the root.
   */
  public static List<String> components(String path) {
    List<String> parts = new ArrayList<>();
    for (String p : path.split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        if (!parts.isEmpty()) {
          parts.removeLast();
        }
        continue;
      }
      parts.add(p);
    }
    return parts;
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
    int i = Arrays.mismatch(x, y);
    // The components that differ start after the last '/' of the common prefix.
    int start = i;
    while (start > 0 && x[start - 1] != '/') {
      start--;
    }
    boolean markerX = isMarkerAt(x, start);
    boolean markerY = isMarkerAt(y, start);
    if (markerX != markerY) {
      return markerX ? -1 : 1;
    }
    if (i >= Math.min(x.length, y.length)) {
      return x.length - y.length;
    }
    int cx = x[i] & 0xff;
    int cy = y[i] & 0xff;
    // '/' ends a component: it sorts before every other byte, so "a/b" < "a-c".
    if (cx == '/') {
      return -1;
    }
    if (cy == '/') {
      return 1;
    }
    return cx - cy;
  }

  /**
   * The order of siblings given as UTF-8 names: the opaque marker first, then by unsigned bytes.
   */
  public static final Comparator<byte[]> SIBLINGS =
      (x, y) -> {
        boolean markerX = isMarkerAt(x, 0);
        boolean markerY = isMarkerAt(y, 0);
        if (markerX != markerY) {
          return markerX ? -1 : 1;
        }
        return Arrays.compareUnsigned(x, y);
      };

  /** Compares two file names (single components) in sibling order ({@link #SIBLINGS}). */
  public static int compareComponents(String a, String b) {
    return SIBLINGS.compare(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static final byte[] MARKER_BYTES = OPAQUE_MARKER.getBytes(StandardCharsets.UTF_8);

  /** True when the component of {@code name} starting at {@code start} is the opaque marker. */
  private static boolean isMarkerAt(byte[] name, int start) {
    int end = start + MARKER_BYTES.length;
    return end <= name.length
        && (end == name.length || name[end] == '/')
        && Arrays.equals(name, start, end, MARKER_BYTES, 0, MARKER_BYTES.length);
  }
}
