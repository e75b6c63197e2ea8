package dev.jbuild.grammar.shell;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The patterns of {@code ${v#p} ${v%p} ${v/p/r}}: {@code *} any string, {@code ?} any character,
 * {@code [...]} a bracket expression ({@code [!...]} or {@code [^...]} negated), backslash escapes
 * the next character ({@code \}} and {@code \/} stand for the character itself).
 */
final class ShellPattern {
  private final Pattern regex;
  private final String source;

  private ShellPattern(Pattern regex, String source) {
    this.regex = regex;
    this.source = source;
  }

  static ShellPattern compile(String pattern) {
    StringBuilder re = new StringBuilder();
    int i = 0;
    int n = pattern.length();
    while (i < n) {
      char c = pattern.charAt(i++);
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        case '\\' -> {
          if (i >= n) {
            re.append("\\\\");
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
            re.append(Pattern.quote(String.valueOf(e)));
          }
        }
        case '[' -> {
          int end = bracketEnd(pattern, i);
          if (end < 0) {
            re.append("\\[");
          } else {
            re.append(bracket(pattern.substring(i, end)));
            i = end + 1;
          }
        }
        default -> {
          if ("\\.+()|{}$^[]".indexOf(c) >= 0) {
            re.append('\\');
          }
          re.append(c);
        }
      }
    }
    try {
      return new ShellPattern(Pattern.compile(re.toString()), pattern);
    } catch (PatternSyntaxException e) {
      throw new ExpansionException(
          "invalid pattern (" + pattern + ") in substitution: " + e.getDescription());
    }
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

  private static String bracket(String body) {
    StringBuilder sb = new StringBuilder("[");
    int i = 0;
    if (!body.isEmpty() && (body.charAt(0) == '!' || body.charAt(0) == '^')) {
      sb.append('^');
      i++;
    }
    while (i < body.length()) {
      char c = body.charAt(i);
      if (c == '\\' && i + 1 < body.length()) {
        sb.append('\\').append(body.charAt(i + 1));
        i += 2;
      } else if (c == '[' && body.startsWith("[:", i) && body.indexOf(":]", i + 2) > 0) {
        int close = body.indexOf(":]", i + 2);
        sb.append(posixClass(body.substring(i + 2, close)));
        i = close + 2;
      } else {
        if (c == '[' || c == '&' || c == '^' && i > 0 || c == ']') {
          sb.append('\\');
        }
        sb.append(c);
        i++;
      }
    }
    return sb.append(']').toString();
  }

  private static String posixClass(String name) {
    return switch (name) {
      case "alpha" -> "\\p{Alpha}";
      case "digit" -> "\\p{Digit}";
      case "alnum" -> "\\p{Alnum}";
      case "upper" -> "\\p{Upper}";
      case "lower" -> "\\p{Lower}";
      case "space" -> "\\s";
      case "punct" -> "\\p{Punct}";
      case "xdigit" -> "\\p{XDigit}";
      case "blank" -> " \\t";
      case "cntrl" -> "\\p{Cntrl}";
      case "print" -> "\\p{Print}";
      case "graph" -> "\\p{Graph}";
      default -> throw new ExpansionException("invalid character class [:" + name + ":]");
    };
  }

  private boolean fullMatch(String s) {
    return regex.matcher(s).matches();
  }

  /** {@code ${v#p}} (shortest) and {@code ${v##p}} (longest): remove a matching prefix. */
  String trimPrefix(String value, boolean longest) {
    if (longest) {
      for (int j = value.length(); j >= 0; j--) {
        if (fullMatch(value.substring(0, j))) {
          return value.substring(j);
        }
      }
    } else {
      for (int j = 0; j <= value.length(); j++) {
        if (fullMatch(value.substring(0, j))) {
          return value.substring(j);
        }
      }
    }
    return value;
  }

  /** {@code ${v%p}} (shortest) and {@code ${v%%p}} (longest): remove a matching suffix. */
  String trimSuffix(String value, boolean longest) {
    if (longest) {
      for (int j = 0; j <= value.length(); j++) {
        if (fullMatch(value.substring(j))) {
          return value.substring(0, j);
        }
      }
    } else {
      for (int j = value.length(); j >= 0; j--) {
        if (fullMatch(value.substring(j))) {
          return value.substring(0, j);
        }
      }
    }
    return value;
  }

  /** {@code ${v/p/r}} (first, longest match) and {@code ${v//p/r}} (every match). */
  String replace(String value, String replacement, boolean all, int maxLength) {
    Matcher m = regex.matcher(value);
    StringBuilder out = new StringBuilder();
    int last = 0;
    while (m.find()) {
      long grown = (long) out.length() + (m.start() - last) + replacement.length();
      if (grown > maxLength) {
        throw new ExpansionException("expansion longer than " + maxLength + " characters");
      }
      out.append(value, last, m.start()).append(replacement);
      last = m.end();
      if (!all) {
        break; // (find() itself steps over an empty match, as replaceAll does)
      }
    }
    if ((long) out.length() + value.length() - last > maxLength) {
      throw new ExpansionException("expansion longer than " + maxLength + " characters");
    }
    return out.append(value, last, value.length()).toString();
  }

  @Override
  public String toString() {
    return source;
  }
}
