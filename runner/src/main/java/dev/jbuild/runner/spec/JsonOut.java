package dev.jbuild.runner.spec;

import java.util.List;

/**
 * A compact JSON writer for the runtime spec: config.json is written once per RUN step and read by
 * the runtime, so it is produced straight into one StringBuilder.
 */
final class JsonOut {
  private final StringBuilder sb = new StringBuilder(4096);
  private boolean needComma;

  JsonOut open() {
    comma();
    sb.append('{');
    needComma = false;
    return this;
  }

  JsonOut close() {
    sb.append('}');
    needComma = true;
    return this;
  }

  JsonOut openArray() {
    comma();
    sb.append('[');
    needComma = false;
    return this;
  }

  JsonOut closeArray() {
    sb.append(']');
    needComma = true;
    return this;
  }

  JsonOut key(String key) {
    comma();
    string(key);
    sb.append(':');
    needComma = false;
    return this;
  }

  JsonOut value(String s) {
    comma();
    string(s);
    needComma = true;
    return this;
  }

  JsonOut value(long n) {
    comma();
    sb.append(n);
    needComma = true;
    return this;
  }

  JsonOut value(boolean b) {
    comma();
    sb.append(b);
    needComma = true;
    return this;
  }

  /** A value that is already compact JSON. */
  JsonOut raw(String json) {
    comma();
    sb.append(json);
    needComma = true;
    return this;
  }

  JsonOut field(String key, String s) {
    return key(key).value(s);
  }

  JsonOut field(String key, long n) {
    return key(key).value(n);
  }

  JsonOut field(String key, boolean b) {
    return key(key).value(b);
  }

  JsonOut stringArray(String key, List<String> values) {
    key(key).openArray();
    for (String v : values) {
      value(v);
    }
    return closeArray();
  }

  private void comma() {
    if (needComma) {
      sb.append(',');
    }
  }

  private void string(String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  @Override
  public String toString() {
    return sb.toString();
  }
}
