package dev.jbuild.grammar.checks;

import java.util.ArrayList;
import java.util.List;

/**
 * A FROM line's words as written (the instruction record lower-cases the stage name): the keyword,
 * then the arguments after the flags ({@code image [AS name]}).
 */
record FromWords(String keyword, List<String> args) {
  static FromWords of(String text) {
    List<String> words = Words.split(text);
    List<String> args = new ArrayList<>();
    boolean flags = true;
    for (int i = 1; i < words.size(); i++) {
      String w = words.get(i);
      if (flags && w.startsWith("--")) {
        continue;
      }
      flags = false;
      args.add(w);
    }
    return new FromWords(words.isEmpty() ? "" : words.get(0), args);
  }
}
