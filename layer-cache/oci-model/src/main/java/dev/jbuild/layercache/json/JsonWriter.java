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

  // instanceof, not a pattern switch: a type switch bootstraps a class at its first run, which the
  // AOT cache does not keep, and every build writes JSON (builder-cli README, "Start-up")
  private static void write(StringBuilder sb, Json json, String indent, int depth) {
    if (json instanceof JsonString s) {
      quote(sb, s.value());
    } else if (json instanceof JsonObject o) {
      writeObject(sb, o, indent, depth);
    } else if (json instanceof JsonArray a) {
      writeArray(sb, a, indent, depth);
    } else if (json instanceof JsonNumber num) {
      sb.append(num.text());
    } else if (json instanceof JsonBool b) {
      sb.append(b.value());
    } else {
      sb.append("null");
    }
  }

  private static void writeArray(StringBuilder sb, JsonArray a, String indent, int depth) {
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

  private static void writeObject(StringBuilder sb, JsonObject o, String indent, int depth) {
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
