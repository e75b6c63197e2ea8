package dev.jbuild.grammar.json;

import java.util.List;
import java.util.Map;

/**
 * A tiny JSON writer for trees of {@link Map} (key order kept), {@link List}, String, Number,
 * Boolean and null: pretty (two-space indent, one value per line, "[]" and "{}" when empty) or
 * compact. The grammar module's dump format; no other JSON library is used.
 */
public final class JsonWriter {
  private JsonWriter() {}

  public static String pretty(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, 0, true);
    return sb.append('\n').toString();
  }

  public static String compact(Object value) {
    StringBuilder sb = new StringBuilder();
    write(sb, value, 0, false);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Object v, int depth, boolean pretty) {
    switch (v) {
      case null -> sb.append("null");
      case String s -> string(sb, s);
      case Boolean b -> sb.append(b);
      case Integer i -> sb.append(i);
      case Long l -> sb.append(l);
      case Number n -> sb.append(n);
      case Map<?, ?> m -> {
        if (m.isEmpty()) {
          sb.append("{}");
          return;
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          newline(sb, depth + 1, pretty);
          string(sb, String.valueOf(e.getKey()));
          sb.append(pretty ? ": " : ":");
          write(sb, e.getValue(), depth + 1, pretty);
        }
        newline(sb, depth, pretty);
        sb.append('}');
      }
      case List<?> l -> {
        if (l.isEmpty()) {
          sb.append("[]");
          return;
        }
        sb.append('[');
        boolean first = true;
        for (Object o : l) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          newline(sb, depth + 1, pretty);
          write(sb, o, depth + 1, pretty);
        }
        newline(sb, depth, pretty);
        sb.append(']');
      }
      default -> throw new IllegalArgumentException("not a JSON value: " + v.getClass());
    }
  }

  private static void newline(StringBuilder sb, int depth, boolean pretty) {
    if (pretty) {
      sb.append('\n');
      sb.append("  ".repeat(depth));
    }
  }

  /** Appends {@code s} as a JSON string literal. */
  public static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
