package dev.jbuild.grammar.checks;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The variable names a word refers to ({@code $name}, {@code ${name...}}, nested defaults
 * included), as BuildKit's lexer looks them up: escaped dollars and single-quoted text are not
 * expanded. Used for the UndefinedVar and FROM rules, without expanding anything.
 */
public final class VarRefs {
  private VarRefs() {}

  /** The names, in order of first use. */
  public static Set<String> of(String text, char escape) {
    Set<String> out = new LinkedHashSet<>();
    int n = text.length();
    boolean inDouble = false;
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c == escape) {
        i++;
      } else if (c == '\'' && !inDouble) {
        int end = text.indexOf('\'', i + 1);
        i = end < 0 ? n : end;
      } else if (c == '"') {
        inDouble = !inDouble;
      } else if (c == '$' && i + 1 < n) {
        int start = i + 1;
        if (text.charAt(start) == '{') {
          start++;
        }
        int end = start;
        while (end < n && isNameChar(text.charAt(end), end == start)) {
          end++;
        }
        if (end > start) {
          out.add(text.substring(start, end));
        }
        i = end - 1;
      }
    }
    return out;
  }

  private static boolean isNameChar(char c, boolean first) {
    return c == '_' || Character.isLetter(c) || (!first && Character.isDigit(c));
  }
}
