package dev.jbuild.layercache.json;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/** A strict RFC 8259 recursive-descent parser with line/column errors. */
final class JsonParser {
  /**
   * At most this many nested arrays and objects: the parser, the writer and equals recurse once per
   * level, so this bounds their stack (an OCI document nests fewer than 10 levels).
   */
  static final int MAX_DEPTH = 128;

  private final String s;
  private int pos;

  private JsonParser(String s) {
    this.s = s;
  }

  static Json parse(byte[] utf8) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(utf8))
              .toString();
    } catch (CharacterCodingException e) {
      throw new JsonParseException("input is not valid UTF-8", 1, 1, 0);
    }
    return parse(text);
  }

  static Json parse(String text) {
    JsonParser p = new JsonParser(text);
    if (p.s.startsWith("\uFEFF")) {
      p.pos = 1;
    }
    p.skipWhitespace();
    if (p.pos >= p.s.length()) {
      throw p.error("empty document");
    }
    Json value = p.value(0);
    p.skipWhitespace();
    if (p.pos < p.s.length()) {
      throw p.error("unexpected " + p.describe() + " after the end of the document");
    }
    return value;
  }

  private Json value(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH + " levels");
    }
    if (pos >= s.length()) {
      throw error("unexpected end of input, expected a value");
    }
    char c = s.charAt(pos);
    return switch (c) {
      case '{' -> object(depth);
      case '[' -> array(depth);
      case '"' -> new JsonString(string());
      case 't' -> literal("true", JsonBool.TRUE);
      case 'f' -> literal("false", JsonBool.FALSE);
      case 'n' -> literal("null", JsonNull.INSTANCE);
      default -> {
        if (c == '-' || (c >= '0' && c <= '9')) {
          yield number();
        }
        throw error("unexpected " + describe() + ", expected a value");
      }
    };
  }

  private JsonObject object(int depth) {
    pos++; // {
    LinkedHashMap<String, Json> members = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return new JsonObject(members);
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw error("unexpected " + describe() + ", expected a string key");
      }
      String key = string();
      skipWhitespace();
      if (peek() != ':') {
        throw error("unexpected " + describe() + ", expected ':' after key \"" + key + "\"");
      }
      pos++;
      skipWhitespace();
      members.put(key, value(depth + 1));
      skipWhitespace();
      char c = peek();
      if (c == ',') {
        pos++;
      } else if (c == '}') {
        pos++;
        return new JsonObject(members);
      } else {
        throw error("unexpected " + describe() + ", expected ',' or '}' in object");
      }
    }
  }

  private JsonArray array(int depth) {
    pos++; // [
    List<Json> elements = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return new JsonArray(elements);
    }
    while (true) {
      skipWhitespace();
      elements.add(value(depth + 1));
      skipWhitespace();
      char c = peek();
      if (c == ',') {
        pos++;
      } else if (c == ']') {
        pos++;
        return new JsonArray(elements);
      } else {
        throw error("unexpected " + describe() + ", expected ',' or ']' in array");
      }
    }
  }

  private String string() {
    int start = pos;
    pos++; // opening quote
    StringBuilder sb = null;
    int runStart = pos;
    while (true) {
      if (pos >= s.length()) {
        pos = start;
        throw error("unterminated string");
      }
      char c = s.charAt(pos);
      if (c == '"') {
        String result =
            sb == null ? s.substring(runStart, pos) : sb.append(s, runStart, pos).toString();
        pos++;
        return result;
      }
      if (c < 0x20) {
        throw error("control character U+" + String.format("%04X", (int) c) + " in string");
      }
      if (c == '\\') {
        if (sb == null) {
          sb = new StringBuilder();
        }
        sb.append(s, runStart, pos);
        pos++;
        if (pos >= s.length()) {
          throw error("unterminated escape sequence");
        }
        char e = s.charAt(pos);
        switch (e) {
          case '"' -> sb.append('"');
          case '\\' -> sb.append('\\');
          case '/' -> sb.append('/');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            if (pos + 5 > s.length()) {
              throw error("truncated \\u escape");
            }
            int cp = 0;
            for (int i = 1; i <= 4; i++) {
              int d = Character.digit(s.charAt(pos + i), 16);
              if (d < 0) {
                throw error("invalid \\u escape");
              }
              cp = cp * 16 + d;
            }
            sb.append((char) cp);
            pos += 4;
          }
          default -> throw error("invalid escape sequence \\" + e);
        }
        pos++;
        runStart = pos;
      } else {
        pos++;
      }
    }
  }

  private JsonNumber number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if ((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
        pos++;
      } else {
        break;
      }
    }
    String text = s.substring(start, pos);
    if (!JsonNumber.isValid(text)) {
      pos = start;
      throw error("invalid number " + text);
    }
    return new JsonNumber(text);
  }

  private Json literal(String word, Json value) {
    if (s.startsWith(word, pos)) {
      pos += word.length();
      return value;
    }
    throw error("unexpected " + describe() + ", expected a value");
  }

  private char peek() {
    return pos < s.length() ? s.charAt(pos) : '\0';
  }

  private void skipWhitespace() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        pos++;
      } else {
        return;
      }
    }
  }

  private String describe() {
    if (pos >= s.length()) {
      return "end of input";
    }
    char c = s.charAt(pos);
    if (c < 0x20 || c > 0x7e) {
      return "character U+" + String.format("%04X", (int) c);
    }
    return "'" + c + "'";
  }

  private JsonParseException error(String reason) {
    int line = 1;
    int col = 1;
    for (int i = 0; i < pos && i < s.length(); i++) {
      if (s.charAt(i) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return new JsonParseException(reason, line, col, pos);
  }
}
