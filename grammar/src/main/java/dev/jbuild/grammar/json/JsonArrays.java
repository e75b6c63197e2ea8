package dev.jbuild.grammar.json;

import dev.jbuild.grammar.shell.Chars;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Exec-form detection as Docker does it (BuildKit parseJSON over Go's encoding/json): text that is
 * a valid JSON array is exec form; a valid array holding anything but strings is an error; anything
 * else (not starting with '[', or not valid JSON) is shell form.
 */
public final class JsonArrays {
  private JsonArrays() {}

  /** A valid JSON array with a non-string element. */
  public static final class NotStringArrayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotStringArrayException() {
      super("when using JSON array syntax, arrays must be comprised of strings only");
    }
  }

  /**
   * The strings of {@code text} when it is a JSON array of strings (leading whitespace allowed),
   * empty when it is not JSON.
   *
   * @throws NotStringArrayException for a valid JSON array with a non-string element
   */
  public static Optional<List<String>> parseStringArray(String text) {
    int i = 0;
    while (i < text.length() && Chars.isSpace(text.charAt(i))) {
      i++;
    }
    if (i >= text.length() || text.charAt(i) != '[') {
      return Optional.empty();
    }
    Reader r = new Reader(text, i);
    List<Object> values;
    try {
      values = r.array();
      r.ws();
      if (r.pos != text.length()) {
        return Optional.empty();
      }
    } catch (Invalid e) {
      return Optional.empty();
    }
    List<String> out = new ArrayList<>(values.size());
    for (Object v : values) {
      if (!(v instanceof String s)) {
        throw new NotStringArrayException();
      }
      out.add(s);
    }
    return Optional.of(out);
  }

  private static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid() {
      super(null, null, false, false);
    }
  }

  private static final Object OTHER = new Object();

  /** A strict JSON reader (RFC 8259, as Go's decoder accepts it). */
  private static final class Reader {
    private final String s;
    private int pos;

    Reader(String s, int pos) {
      this.s = s;
      this.pos = pos;
    }

    void ws() {
      while (pos < s.length()) {
        char c = s.charAt(pos);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
          pos++;
        } else {
          break;
        }
      }
    }

    Object value() throws Invalid {
      ws();
      if (pos >= s.length()) {
        throw new Invalid();
      }
      char c = s.charAt(pos);
      switch (c) {
        case '[' -> {
          array();
          return OTHER;
        }
        case '{' -> {
          object();
          return OTHER;
        }
        case '"' -> {
          return string();
        }
        case 't' -> {
          literal("true");
          return OTHER;
        }
        case 'f' -> {
          literal("false");
          return OTHER;
        }
        case 'n' -> {
          literal("null");
          return OTHER;
        }
        default -> {
          number();
          return OTHER;
        }
      }
    }

    List<Object> array() throws Invalid {
      pos++; // '['
      List<Object> out = new ArrayList<>();
      ws();
      if (pos < s.length() && s.charAt(pos) == ']') {
        pos++;
        return out;
      }
      while (true) {
        out.add(value());
        ws();
        if (pos >= s.length()) {
          throw new Invalid();
        }
        char c = s.charAt(pos++);
        if (c == ']') {
          return out;
        }
        if (c != ',') {
          throw new Invalid();
        }
      }
    }

    void object() throws Invalid {
      pos++; // '{'
      ws();
      if (pos < s.length() && s.charAt(pos) == '}') {
        pos++;
        return;
      }
      while (true) {
        ws();
        if (pos >= s.length() || s.charAt(pos) != '"') {
          throw new Invalid();
        }
        string();
        ws();
        if (pos >= s.length() || s.charAt(pos++) != ':') {
          throw new Invalid();
        }
        value();
        ws();
        if (pos >= s.length()) {
          throw new Invalid();
        }
        char c = s.charAt(pos++);
        if (c == '}') {
          return;
        }
        if (c != ',') {
          throw new Invalid();
        }
      }
    }

    void literal(String word) throws Invalid {
      if (!s.startsWith(word, pos)) {
        throw new Invalid();
      }
      pos += word.length();
    }

    void number() throws Invalid {
      int start = pos;
      if (pos < s.length() && s.charAt(pos) == '-') {
        pos++;
      }
      if (pos >= s.length()) {
        throw new Invalid();
      }
      if (s.charAt(pos) == '0') {
        pos++;
      } else if (s.charAt(pos) >= '1' && s.charAt(pos) <= '9') {
        digits();
      } else {
        throw new Invalid();
      }
      if (pos < s.length() && s.charAt(pos) == '.') {
        pos++;
        if (digits() == 0) {
          throw new Invalid();
        }
      }
      if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
        pos++;
        if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
          pos++;
        }
        if (digits() == 0) {
          throw new Invalid();
        }
      }
      if (pos == start) {
        throw new Invalid();
      }
    }

    private int digits() {
      int n = 0;
      while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
        pos++;
        n++;
      }
      return n;
    }

    String string() throws Invalid {
      pos++; // '"'
      StringBuilder sb = new StringBuilder();
      while (true) {
        if (pos >= s.length()) {
          throw new Invalid();
        }
        char c = s.charAt(pos++);
        if (c == '"') {
          return sb.toString();
        }
        if (c < 0x20) {
          throw new Invalid();
        }
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        if (pos >= s.length()) {
          throw new Invalid();
        }
        char e = s.charAt(pos++);
        switch (e) {
          case '"', '\\', '/' -> sb.append(e);
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'n' -> sb.append('\n');
          case 'r' -> sb.append('\r');
          case 't' -> sb.append('\t');
          case 'u' -> {
            char u = hex4();
            if (Character.isHighSurrogate(u)) {
              if (s.startsWith("\\u", pos)) {
                int save = pos;
                pos += 2;
                char low = hex4();
                if (Character.isLowSurrogate(low)) {
                  sb.append(u).append(low);
                } else {
                  sb.append('\uFFFD');
                  pos = save;
                }
              } else {
                sb.append('\uFFFD');
              }
            } else if (Character.isLowSurrogate(u)) {
              sb.append('\uFFFD');
            } else {
              sb.append(u);
            }
          }
          default -> throw new Invalid();
        }
      }
    }

    private char hex4() throws Invalid {
      if (pos + 4 > s.length()) {
        throw new Invalid();
      }
      int v = 0;
      for (int k = 0; k < 4; k++) {
        int d = Character.digit(s.charAt(pos++), 16);
        if (d < 0) {
          throw new Invalid();
        }
        v = v * 16 + d;
      }
      return (char) v;
    }
  }
}
