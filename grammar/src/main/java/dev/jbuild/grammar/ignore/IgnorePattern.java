package dev.jbuild.grammar.ignore;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One .dockerignore pattern compiled as moby/patternmatcher does: {@code *} and {@code ?} stop at
 * '/', {@code **} spans directories ({@code **}{@code /} also matches nothing), {@code [...]} is a
 * character class of Go's regexp syntax ({@code [^a]} negates), backslash escapes. Patterns without
 * wildcards compare as strings, {@code foo/**} as a prefix (patternmatcher's fast paths, same
 * result as the regular expression).
 */
final class IgnorePattern {
  private final String pattern;
  private final boolean exclusion;
  private final boolean exact;
  private final String prefix; // non-null for the "literal**" fast path
  private final Pattern regex; // null when exact

  private IgnorePattern(String pattern, boolean exclusion) {
    this.pattern = pattern;
    this.exclusion = exclusion;
    boolean wild = false;
    for (int i = 0; i < pattern.length(); i++) {
      if ("*?[]\\".indexOf(pattern.charAt(i)) >= 0) {
        wild = true;
        break;
      }
    }
    this.exact = !wild;
    String p = null;
    if (wild && pattern.endsWith("**")) {
      String head = pattern.substring(0, pattern.length() - 2);
      boolean literal = true;
      for (int i = 0; i < head.length(); i++) {
        if ("*?[]\\".indexOf(head.charAt(i)) >= 0) {
          literal = false;
          break;
        }
      }
      if (literal) {
        p = head;
      }
    }
    this.prefix = p;
    this.regex = exact ? null : compile(pattern);
  }

  /**
   * A pattern as patternmatcher.New reads it (already trimmed and cleaned by the file reader).
   *
   * @throws IllegalArgumentException for "!" alone or a malformed pattern
   */
  static IgnorePattern of(String raw) {
    String p = CleanPath.clean(raw.strip());
    boolean exclusion = false;
    if (p.charAt(0) == '!') {
      if (p.length() == 1) {
        throw new IllegalArgumentException("illegal exclusion pattern: \"!\"");
      }
      exclusion = true;
      p = p.substring(1);
    }
    validate(p);
    return new IgnorePattern(p, exclusion);
  }

  String pattern() {
    return pattern;
  }

  boolean exclusion() {
    return exclusion;
  }

  boolean matches(String path) {
    if (exact) {
      return path.equals(pattern);
    }
    if (prefix != null) {
      return path.startsWith(prefix);
    }
    return regex.matcher(path).matches();
  }

  /** Whether some path below {@code dir} (i.e. starting with "dir/") could match. */
  boolean couldMatchBelow(String dir) {
    String probe = dir + "/";
    if (exact) {
      return pattern.startsWith(probe);
    }
    Matcher m = regex.matcher(probe);
    return m.matches() || m.hitEnd();
  }

  private static Pattern compile(String pattern) {
    StringBuilder re = new StringBuilder();
    int i = 0;
    int n = pattern.length();
    while (i < n) {
      char ch = pattern.charAt(i++);
      if (ch == '*') {
        if (i < n && pattern.charAt(i) == '*') {
          i++;
          if (i < n && pattern.charAt(i) == '/') {
            i++;
          }
          if (i >= n) {
            re.append(".*");
          } else {
            re.append("(.*/)?");
          }
        } else {
          re.append("[^/]*");
        }
      } else if (ch == '?') {
        re.append("[^/]");
      } else if (".+()|{}$".indexOf(ch) >= 0) {
        re.append('\\').append(ch);
      } else if (ch == '\\') {
        if (i < n) {
          char next = pattern.charAt(i++);
          re.append(
              Character.isLetterOrDigit(next) ? "\\" + next : Pattern.quote(String.valueOf(next)));
        } else {
          re.append("\\\\");
        }
      } else if (ch == '[') {
        int end = classEnd(pattern, i);
        re.append('[');
        int j = i;
        if (j < end && pattern.charAt(j) == '^') {
          re.append('^');
          j++;
        }
        while (j < end) {
          char c = pattern.charAt(j++);
          if (c == '\\' && j < end) {
            char e = pattern.charAt(j++);
            re.append(Character.isLetterOrDigit(e) ? "\\" + e : "\\" + e);
          } else if (c == '[' || c == '&' || c == '^') {
            re.append('\\').append(c);
          } else {
            re.append(c);
          }
        }
        re.append(']');
        i = end + 1;
      } else if (ch == ']') {
        re.append("\\]");
      } else {
        re.append(ch);
      }
    }
    try {
      return Pattern.compile(re.toString());
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("syntax error in pattern");
    }
  }

  /** Index of the ']' closing a class starting after {@code from}; validated beforehand. */
  private static int classEnd(String p, int from) {
    int i = from;
    if (i < p.length() && p.charAt(i) == '^') {
      i++;
    }
    int ranges = 0;
    while (i < p.length()) {
      char c = p.charAt(i);
      if (c == ']' && ranges > 0) {
        return i;
      }
      if (c == '\\') {
        i++;
      }
      i++;
      ranges++;
    }
    return p.length();
  }

  /** Go's filepath.Match syntax check: closed, non-empty classes; no dangling escape. */
  static void validate(String p) {
    int i = 0;
    int n = p.length();
    while (i < n) {
      char c = p.charAt(i);
      if (c == '\\') {
        if (i + 1 >= n) {
          throw bad();
        }
        i += 2;
      } else if (c == '[') {
        i++;
        if (i < n && p.charAt(i) == '^') {
          i++;
        }
        int ranges = 0;
        while (true) {
          if (i >= n) {
            throw bad();
          }
          if (p.charAt(i) == ']' && ranges > 0) {
            i++;
            break;
          }
          int[] lo = escChar(p, i);
          i = lo[1];
          if (i < n && p.charAt(i) == '-') {
            int[] hi = escChar(p, i + 1);
            if (hi[0] < lo[0]) {
              throw bad();
            }
            i = hi[1];
          }
          ranges++;
        }
      } else {
        i++;
      }
    }
  }

  private static int[] escChar(String p, int i) {
    if (i >= p.length() || p.charAt(i) == '-' || p.charAt(i) == ']') {
      throw bad();
    }
    char c = p.charAt(i);
    if (c == '\\') {
      if (i + 1 >= p.length()) {
        throw bad();
      }
      return new int[] {p.charAt(i + 1), i + 2};
    }
    return new int[] {c, i + 1};
  }

  private static IllegalArgumentException bad() {
    return new IllegalArgumentException("syntax error in pattern");
  }

  @Override
  public String toString() {
    return exclusion ? "!" + pattern : pattern;
  }
}
