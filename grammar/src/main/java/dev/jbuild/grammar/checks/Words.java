package dev.jbuild.grammar.checks;

import java.util.ArrayList;
import java.util.List;

/** Whitespace splitting of an instruction's text (BuildKit splits FROM and EXPOSE this way). */
final class Words {
  private Words() {}

  static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    int n = text.length();
    int i = 0;
    while (i < n) {
      while (i < n && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i > start) {
        out.add(text.substring(start, i));
      }
    }
    return out;
  }

  /** The first word (the instruction keyword as written). */
  static String first(String text) {
    int n = text.length();
    int i = 0;
    while (i < n && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    int start = i;
    while (i < n && !Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    return text.substring(start, i);
  }

  /** The text after the keyword, leading whitespace removed. */
  static String afterKeyword(String text) {
    String k = first(text);
    int at = text.indexOf(k) + k.length();
    return text.substring(at).stripLeading();
  }
}
