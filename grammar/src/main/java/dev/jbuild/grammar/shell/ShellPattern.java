package dev.jbuild.grammar.shell;

/**
 * The patterns of {@code ${v#p} ${v%p} ${v/p/r}}: {@code *} any string, {@code ?} any character,
 * {@code [...]} a bracket expression ({@code [!...]} or {@code [^...]} negated), backslash escapes
 * the next character ({@code \}} and {@code \/} stand for the character itself). As in Java's
 * regular expressions without DOTALL (what this used to compile to), {@code *} and {@code ?} do not
 * match line terminators.
 *
 * <p>Matching runs the pattern as a set of states over the value's code points (no backtracking):
 * every prefix or suffix length that matches comes out of one pass, and {@link #replace} finds the
 * leftmost-longest match with each state carrying its earliest start. A value of n code points and
 * a pattern of k tokens cost O(n k) per search, so a hostile {@code ${v##*a*a*a*b}} on a 1 MiB
 * value cannot hang the build (a regular expression per prefix took O(n^2) and more).
 */
final class ShellPattern {
  private static final int STAR = 0;
  private static final int ANY = 1;
  private static final int LITERAL = 2;
  private static final int CLASS = 3;

  private final int[] kinds;
  private final int[] literals;
  private final CharClass[] classes;
  private final String source;

  private ShellPattern(int[] kinds, int[] literals, CharClass[] classes, String source) {
    this.kinds = kinds;
    this.literals = literals;
    this.classes = classes;
    this.source = source;
  }

  /** Collects tokens while compiling. */
  private static final class Tokens {
    int[] kinds = new int[8];
    int[] literals = new int[8];
    CharClass[] classes = new CharClass[8];
    int size;

    void add(int kind, int literal, CharClass cls) {
      if (kind == STAR && size > 0 && kinds[size - 1] == STAR) {
        return; // ** is *
      }
      if (size == kinds.length) {
        kinds = java.util.Arrays.copyOf(kinds, size * 2);
        literals = java.util.Arrays.copyOf(literals, size * 2);
        classes = java.util.Arrays.copyOf(classes, size * 2);
      }
      kinds[size] = kind;
      literals[size] = literal;
      classes[size] = cls;
      size++;
    }
  }

  static ShellPattern compile(String pattern) {
    Tokens t = new Tokens();
    int i = 0;
    int n = pattern.length();
    while (i < n) {
      int c = pattern.codePointAt(i);
      i += Character.charCount(c);
      switch (c) {
        case '*' -> t.add(STAR, 0, null);
        case '?' -> t.add(ANY, 0, null);
        case '\\' -> {
          if (i >= n) {
            t.add(LITERAL, '\\', null);
          } else {
            char e = pattern.charAt(i++);
            if (e != '}' && e != '/' && e != '*' && e != '?' && e != '\\' && e != '[' && e != ']') {
              throw new ExpansionException(
                  "invalid pattern ("
                      + pattern
                      + ") in substitution: invalid escape '\\"
                      + e
                      + "'");
            }
            t.add(LITERAL, e, null);
          }
        }
        case '[' -> {
          int end = bracketEnd(pattern, i);
          if (end < 0) {
            t.add(LITERAL, '[', null);
          } else {
            t.add(CLASS, 0, CharClass.parse(pattern.substring(i, end), pattern));
            i = end + 1;
          }
        }
        default -> t.add(LITERAL, c, null);
      }
    }
    return new ShellPattern(
        java.util.Arrays.copyOf(t.kinds, t.size),
        java.util.Arrays.copyOf(t.literals, t.size),
        java.util.Arrays.copyOf(t.classes, t.size),
        pattern);
  }

  /** Index of the ']' closing a bracket expression whose body starts at {@code from}, or -1. */
  private static int bracketEnd(String p, int from) {
    int i = from;
    if (i < p.length() && (p.charAt(i) == '!' || p.charAt(i) == '^')) {
      i++;
    }
    if (i < p.length() && p.charAt(i) == ']') {
      i++;
    }
    while (i < p.length()) {
      char c = p.charAt(i);
      if (c == '\\' && i + 1 < p.length()) {
        i += 2;
        continue;
      }
      if (c == '[' && i + 1 < p.length() && p.charAt(i + 1) == ':') {
        int close = p.indexOf(":]", i + 2);
        if (close > 0) {
          i = close + 2;
          continue;
        }
      }
      if (c == ']') {
        return i;
      }
      i++;
    }
    return -1;
  }

  private static boolean isLineTerminator(int cp) {
    return cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
  }

  /** Whether token {@code t} (not a star) of this pattern, read in {@code order}, matches cp. */
  private boolean matches(int t, int cp) {
    return switch (kinds[t]) {
      case ANY -> !isLineTerminator(cp);
      case LITERAL -> literals[t] == cp;
      case CLASS -> classes[t].matches(cp);
      default -> false;
    };
  }

  /** The token at step {@code s} of a match read forwards, or backwards (for suffixes). */
  private int token(int s, boolean backwards) {
    return backwards ? kinds.length - 1 - s : s;
  }

  /** Adds to {@code set} the states reachable without input (a star may match nothing). */
  private void closure(boolean[] set, boolean backwards) {
    for (int s = 0; s < kinds.length; s++) {
      if (set[s] && kinds[token(s, backwards)] == STAR) {
        set[s + 1] = true;
      }
    }
  }

  /**
   * The lengths, in code points, of the matches of this pattern anchored at the start of {@code
   * cps} (read backwards from the end when {@code backwards}): the shortest, or the longest; -1
   * when none.
   */
  private int anchored(int[] cps, boolean longest, boolean backwards) {
    int k = kinds.length;
    boolean[] cur = new boolean[k + 1];
    cur[0] = true;
    closure(cur, backwards);
    int best = cur[k] ? 0 : -1;
    if (best == 0 && !longest) {
      return 0;
    }
    for (int i = 0; i < cps.length; i++) {
      int cp = cps[backwards ? cps.length - 1 - i : i];
      boolean[] next = new boolean[k + 1];
      boolean any = false;
      for (int s = 0; s < k; s++) {
        if (!cur[s]) {
          continue;
        }
        int t = token(s, backwards);
        if (kinds[t] == STAR) {
          if (!isLineTerminator(cp)) {
            next[s] = true;
            any = true;
          }
        } else if (matches(t, cp)) {
          next[s + 1] = true;
          any = true;
        }
      }
      if (!any) {
        break;
      }
      closure(next, backwards);
      cur = next;
      if (cur[k]) {
        best = i + 1;
        if (!longest) {
          return best;
        }
      }
    }
    return best;
  }

  /** {@code ${v#p}} (shortest) and {@code ${v##p}} (longest): remove a matching prefix. */
  String trimPrefix(String value, boolean longest) {
    int[] cps = value.codePoints().toArray();
    int n = anchored(cps, longest, false);
    return n < 0 ? value : value.substring(value.offsetByCodePoints(0, n));
  }

  /** {@code ${v%p}} (shortest) and {@code ${v%%p}} (longest): remove a matching suffix. */
  String trimSuffix(String value, boolean longest) {
    int[] cps = value.codePoints().toArray();
    int n = anchored(cps, longest, true);
    return n < 0 ? value : value.substring(0, value.offsetByCodePoints(0, cps.length - n));
  }

  /**
   * The leftmost-longest match starting at or after code point {@code from}: {start, end} in code
   * points, or null. One pass: each state keeps the earliest start that reaches it (a later start
   * in the same state can never win), and once a match is found only earlier or equal starts go on.
   */
  private int[] find(int[] cps, int from) {
    int k = kinds.length;
    int[] cur = new int[k + 1];
    java.util.Arrays.fill(cur, -1);
    cur[0] = from;
    closureStarts(cur);
    int bestStart = cur[k];
    int bestEnd = cur[k] >= 0 ? from : -1;
    for (int i = from; i < cps.length; i++) {
      int cp = cps[i];
      int[] next = new int[k + 1];
      java.util.Arrays.fill(next, -1);
      boolean any = false;
      for (int s = 0; s < k; s++) {
        int start = cur[s];
        if (start < 0 || (bestStart >= 0 && start > bestStart)) {
          continue;
        }
        if (kinds[s] == STAR) {
          if (!isLineTerminator(cp)) {
            next[s] = min(next[s], start);
            any = true;
          }
        } else if (matches(s, cp)) {
          next[s + 1] = min(next[s + 1], start);
          any = true;
        }
      }
      if (bestStart < 0) {
        next[0] = min(next[0], i + 1); // a match may start at the next position
        any = true;
      }
      if (!any) {
        break;
      }
      closureStarts(next);
      cur = next;
      if (cur[k] >= 0 && (bestStart < 0 || cur[k] <= bestStart)) {
        bestStart = cur[k];
        bestEnd = i + 1;
      }
    }
    return bestStart < 0 ? null : new int[] {bestStart, bestEnd};
  }

  private static int min(int a, int b) {
    return a < 0 ? b : b < 0 ? a : Math.min(a, b);
  }

  private void closureStarts(int[] set) {
    for (int s = 0; s < kinds.length; s++) {
      if (set[s] >= 0 && kinds[s] == STAR) {
        set[s + 1] = min(set[s + 1], set[s]);
      }
    }
  }

  /**
   * {@code ${v/p/r}} (first, leftmost-longest match) and {@code ${v//p/r}} (every match, as Java's
   * replaceAll steps over an empty match); the result is at most {@code maxLength} characters.
   */
  String replace(String value, String replacement, boolean all, int maxLength) {
    int[] cps = value.codePoints().toArray();
    StringBuilder out = new StringBuilder();
    int last = 0; // code points of value already handled
    int from = 0;
    while (from <= cps.length) {
      int[] m = find(cps, from);
      if (m == null) {
        break;
      }
      appendCodePoints(out, cps, last, m[0]);
      out.append(replacement);
      if (out.length() > maxLength) {
        throw new ExpansionException("expansion longer than " + maxLength + " characters");
      }
      last = m[1];
      if (!all) {
        break;
      }
      if (m[1] == m[0]) {
        if (m[1] >= cps.length) {
          break;
        }
        appendCodePoints(out, cps, m[1], m[1] + 1); // step over an empty match
        last = m[1] + 1;
      }
      from = last;
    }
    appendCodePoints(out, cps, last, cps.length);
    if (out.length() > maxLength) {
      throw new ExpansionException("expansion longer than " + maxLength + " characters");
    }
    return out.toString();
  }

  private static void appendCodePoints(StringBuilder out, int[] cps, int from, int to) {
    for (int i = from; i < to; i++) {
      out.appendCodePoint(cps[i]);
    }
  }

  @Override
  public String toString() {
    return source;
  }
}
