package dev.jbuild.grammar.checks;

import java.util.Collection;

/** BuildKit's util/suggest: the closest option at Levenshtein distance under 3, or "". */
final class Suggest {
  private Suggest() {}

  static String search(String value, Collection<String> options) {
    String match = "";
    int min = 3;
    for (String o : options) {
      if (o.equals(value)) {
        return "";
      }
      int d = distance(value, o);
      if (d < min) {
        match = o;
        min = d;
      }
    }
    return match;
  }

  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
