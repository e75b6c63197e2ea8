package dev.jbuild.builder.context;

/**
 * Go's {@code filepath.Match} for one path component: {@code *} matches any run of characters,
 * {@code ?} one character, {@code [a-z]} / {@code [^a-z]} a class, and {@code \} escapes. This is
 * how COPY and ADD match wildcard sources, component by component.
 */
public final class GoGlob {
  private GoGlob() {}

  /** True when {@code s} contains a character that makes it a pattern. */
  public static boolean hasMeta(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == '\\') {
        return true;
      }
    }
    return false;
  }

  /** Removes the escaping backslashes of a component without other meta characters. */
  public static String unescape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        c = s.charAt(++i);
      }
      b.append(c);
    }
    return b.toString();
  }

  /**
   * Matches {@code name} against {@code pattern}.
   *
   * @throws IllegalArgumentException for a malformed pattern (as Go's ErrBadPattern)
   */
  public static boolean match(String pattern, String name) {
    return match(pattern, 0, name, 0);
  }

  private static boolean match(String p, int pi, String s, int si) {
    while (pi < p.length()) {
      char c = p.charAt(pi);
      switch (c) {
        case '*' -> {
          while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
          }
          if (pi == p.length()) {
            return s.indexOf('/', si) < 0;
          }
          for (int k = si; k <= s.length(); k++) {
            if (match(p, pi, s, k)) {
              return true;
            }
            if (k < s.length() && s.charAt(k) == '/') {
              return false;
            }
          }
          return false;
        }
        case '?' -> {
          if (si >= s.length() || s.charAt(si) == '/') {
            return false;
          }
          pi++;
          si++;
        }
        case '[' -> {
          if (si >= s.length()) {
            checkClass(p, pi);
            return false;
          }
          int end = classEnd(p, pi);
          if (!matchClass(p, pi + 1, end, s.charAt(si)) || s.charAt(si) == '/') {
            return false;
          }
          pi = end + 1;
          si++;
        }
        case '\\' -> {
          if (pi + 1 >= p.length()) {
            throw new IllegalArgumentException("syntax error in pattern: " + p);
          }
          if (si >= s.length() || s.charAt(si) != p.charAt(pi + 1)) {
            return false;
          }
          pi += 2;
          si++;
        }
        default -> {
          if (si >= s.length() || s.charAt(si) != c) {
            return false;
          }
          pi++;
          si++;
        }
      }
    }
    return si == s.length();
  }

  private static void checkClass(String p, int start) {
    classEnd(p, start);
  }

  /** Index of the ']' closing the class that starts at {@code start}. */
  private static int classEnd(String p, int start) {
    int i = start + 1;
    if (i < p.length() && p.charAt(i) == '^') {
      i++;
    }
    boolean first = true;
    while (i < p.length()) {
      char c = p.charAt(i);
      if (c == ']' && !first) {
        return i;
      }
      if (c == '\\') {
        i++;
      }
      i++;
      first = false;
    }
    throw new IllegalArgumentException("syntax error in pattern: " + p);
  }

  private static boolean matchClass(String p, int from, int end, char ch) {
    boolean negate = false;
    int i = from;
    if (i < end && p.charAt(i) == '^') {
      negate = true;
      i++;
    }
    boolean matched = false;
    while (i < end) {
      char lo = p.charAt(i);
      if (lo == '\\') {
        lo = p.charAt(++i);
      }
      i++;
      char hi = lo;
      if (i + 1 < end && p.charAt(i) == '-') {
        hi = p.charAt(i + 1);
        if (hi == '\\') {
          hi = p.charAt(i + 2);
          i++;
        }
        i += 2;
      }
      if (lo <= ch && ch <= hi) {
        matched = true;
      }
    }
    return matched != negate;
  }
}
