package dev.jbuild.layercache.registry.auth;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code WWW-Authenticate} challenge: {@code Basic realm="x"} or {@code Bearer
 * realm="https://auth",service="registry",scope="repository:a/b:pull"}.
 *
 * @param scheme lower case: "basic" or "bearer" (or another scheme, which jbuild rejects)
 */
public record Challenge(String scheme, Map<String, String> params) {
  public Challenge {
    scheme = scheme.toLowerCase(Locale.ROOT);
    params = Map.copyOf(params);
  }

  public Optional<String> param(String name) {
    return Optional.ofNullable(params.get(name));
  }

  public boolean isBasic() {
    return scheme.equals("basic");
  }

  public boolean isBearer() {
    return scheme.equals("bearer");
  }

  /** Parses the first challenge of a header value; empty when the header is blank. */
  public static Optional<Challenge> parse(String header) {
    if (header == null || header.isBlank()) {
      return Optional.empty();
    }
    String s = header.strip();
    int sp = 0;
    while (sp < s.length() && !Character.isWhitespace(s.charAt(sp))) {
      sp++;
    }
    String scheme = s.substring(0, sp);
    var params = new LinkedHashMap<String, String>();
    int i = sp;
    while (i < s.length()) {
      while (i < s.length() && (s.charAt(i) == ',' || Character.isWhitespace(s.charAt(i)))) {
        i++;
      }
      int eq = s.indexOf('=', i);
      if (eq < 0) {
        break;
      }
      String key = s.substring(i, eq).strip().toLowerCase(Locale.ROOT);
      i = eq + 1;
      var value = new StringBuilder();
      if (i < s.length() && s.charAt(i) == '"') {
        i++;
        while (i < s.length() && s.charAt(i) != '"') {
          char c = s.charAt(i);
          if (c == '\\' && i + 1 < s.length()) {
            c = s.charAt(++i);
          }
          value.append(c);
          i++;
        }
        i++; // closing quote
      } else {
        while (i < s.length() && s.charAt(i) != ',') {
          value.append(s.charAt(i++));
        }
      }
      params.put(key, value.toString().strip());
    }
    return Optional.of(new Challenge(scheme, params));
  }
}
