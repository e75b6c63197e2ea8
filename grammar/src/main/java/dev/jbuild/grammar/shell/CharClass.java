package dev.jbuild.grammar.shell;

import java.util.Arrays;

/**
 * A bracket expression of a shell pattern ({@code [abc]}, {@code [a-z]}, {@code [!x]} or {@code
 * [^x]}, {@code [[:alpha:]]}, backslash escapes), matched by hand: the same sets Java's character
 * classes gave ({@code [:alpha:]} etc. are ASCII, as {@code \p{Alpha}}), without compiling
 * untrusted text into a regular expression.
 */
final class CharClass {
  private final boolean negated;
  private final int[] ranges; // pairs lo, hi (inclusive)
  private final String[] posix;

  private CharClass(boolean negated, int[] ranges, String[] posix) {
    this.negated = negated;
    this.ranges = ranges;
    this.posix = posix;
  }

  /**
   * The class of a bracket body (what is between {@code [} and its {@code ]}).
   *
   * @throws ExpansionException for a reversed range or an unknown {@code [:name:]}
   */
  static CharClass parse(String body, String pattern) {
    int i = 0;
    boolean negated = false;
    if (!body.isEmpty() && (body.charAt(0) == '!' || body.charAt(0) == '^')) {
      negated = true;
      i++;
    }
    int[] ranges = new int[8];
    int nr = 0;
    String[] posix = new String[0];
    while (i < body.length()) {
      if (body.startsWith("[:", i) && body.indexOf(":]", i + 2) > 0) {
        int close = body.indexOf(":]", i + 2);
        String name = body.substring(i + 2, close);
        if (!isPosix(name)) {
          throw new ExpansionException("invalid character class [:" + name + ":]");
        }
        posix = Arrays.copyOf(posix, posix.length + 1);
        posix[posix.length - 1] = name;
        i = close + 2;
        continue;
      }
      int lo = body.codePointAt(i);
      if (lo == '\\' && i + 1 < body.length()) {
        i++;
        lo = body.codePointAt(i);
      }
      i += Character.charCount(lo);
      int hi = lo;
      if (i + 1 < body.length() && body.charAt(i) == '-') {
        int j = i + 1;
        int end = body.codePointAt(j);
        if (end == '\\' && j + 1 < body.length()) {
          j++;
          end = body.codePointAt(j);
        }
        if (end < lo) {
          throw new ExpansionException(
              "invalid pattern (" + pattern + ") in substitution: Illegal character range");
        }
        hi = end;
        i = j + Character.charCount(end);
      }
      if (nr + 2 > ranges.length) {
        ranges = Arrays.copyOf(ranges, ranges.length * 2);
      }
      ranges[nr++] = lo;
      ranges[nr++] = hi;
    }
    return new CharClass(negated, Arrays.copyOf(ranges, nr), posix);
  }

  boolean matches(int cp) {
    boolean in = false;
    for (int r = 0; r < ranges.length && !in; r += 2) {
      in = cp >= ranges[r] && cp <= ranges[r + 1];
    }
    for (int p = 0; p < posix.length && !in; p++) {
      in = posix(posix[p], cp);
    }
    return in != negated;
  }

  private static boolean isPosix(String name) {
    return switch (name) {
      case "alpha",
          "digit",
          "alnum",
          "upper",
          "lower",
          "space",
          "punct",
          "xdigit",
          "blank",
          "cntrl",
          "print",
          "graph" ->
          true;
      default -> false;
    };
  }

  private static boolean posix(String name, int c) {
    return switch (name) {
      case "alpha" -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      case "digit" -> c >= '0' && c <= '9';
      case "alnum" -> posix("alpha", c) || posix("digit", c);
      case "upper" -> c >= 'A' && c <= 'Z';
      case "lower" -> c >= 'a' && c <= 'z';
      case "space" -> c == ' ' || (c >= '\t' && c <= '\r');
      case "punct" -> c >= 0x21 && c <= 0x7e && !posix("alnum", c);
      case "xdigit" -> posix("digit", c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      case "blank" -> c == ' ' || c == '\t';
      case "cntrl" -> c < 0x20 || c == 0x7f;
      case "print" -> c >= 0x20 && c <= 0x7e;
      case "graph" -> c >= 0x21 && c <= 0x7e;
      default -> false;
    };
  }
}
