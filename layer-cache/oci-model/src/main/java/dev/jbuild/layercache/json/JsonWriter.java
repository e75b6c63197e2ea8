package dev.jbuild.layercache.json;

import java.util.Map;

/** Compact and pretty serialisation. Strings are escaped minimally (RFC 8259). */
final class JsonWriter {
  private JsonWriter() {}

  static String compact(Json json) {
    StringBuilder sb = new StringBuilder();
    write(sb, json, null, 0);
    return sb.toString();
  }

  static String pretty(Json json, String indent) {
    StringBuilder sb = new StringBuilder();
    write(sb, json, indent, 0);
    return sb.toString();
  }

  private static void write(StringBuilder sb, Json json, String indent, int depth) {
    switch (json) {
      case JsonNull n -> sb.append("null");
      case JsonBool b -> sb.append(b.value());
      case JsonNumber num -> sb.append(num.text());
      case JsonString s -> quote(sb, s.value());
      case JsonArray a -> {
        if (a.elements().isEmpty()) {
          sb.append("[]");
          return;
        }
        sb.append('[');
        boolean first = true;
        for (Json e : a.elements()) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          newline(sb, indent, depth + 1);
          write(sb, e, indent, depth + 1);
        }
        newline(sb, indent, depth);
        sb.append(']');
      }
      case JsonObject o -> {
        if (o.members().isEmpty()) {
          sb.append("{}");
          return;
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, Json> e : o.members().entrySet()) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          newline(sb, indent, depth + 1);
          quote(sb, e.getKey());
          sb.append(indent == null ? ":" : ": ");
          write(sb, e.getValue(), indent, depth + 1);
        }
        newline(sb, indent, depth);
        sb.append('}');
      }
    }
  }

  private static void newline(StringBuilder sb, String indent, int depth) {
    if (indent != null) {
      sb.append('\n');
      sb.append(indent.repeat(depth));
    }
  }

  static void quote(StringBuilder sb, String s) {
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
          if (c < 0x20 || c == 0x2028 || c == 0x2029) {
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
