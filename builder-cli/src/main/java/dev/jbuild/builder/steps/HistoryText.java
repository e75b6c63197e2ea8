package dev.jbuild.builder.steps;

import java.util.List;
import java.util.Map;

/** created_by texts in the forms BuildKit writes them, so `history` reads the same. */
public final class HistoryText {
  private HistoryText() {}

  /** Go's {@code %q} of a string slice: {@code ["sh" "-c" "echo \"hi\""]}. */
  public static String quotedList(List<String> items) {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        b.append(' ');
      }
      b.append(goQuote(items.get(i)));
    }
    return b.append(']').toString();
  }

  /** Go's {@code %v} of a string slice: {@code [/data /logs]}. */
  public static String plainList(List<String> items) {
    return "[" + String.join(" ", items) + "]";
  }

  static String goQuote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            b.append(String.format("\\x%02x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /**
   * RUN's text: the build args in scope that ENV does not override come first as {@code |N K=V ...}
   * (the form BuildKit and the classic builder use), then the argv joined by spaces.
   */
  public static String run(List<String> argv, Map<String, String> buildArgs) {
    StringBuilder b = new StringBuilder("RUN ");
    if (!buildArgs.isEmpty()) {
      b.append('|').append(buildArgs.size());
      buildArgs.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
      b.append(' ');
    }
    return b.append(String.join(" ", argv)).toString();
  }
}
