package dev.jbuild.grammar;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The parser directives at the top of a Dockerfile.
 *
 * @param escape the escape and line-continuation character: {@code \} (default) or {@code `}
 * @param values every directive given, lower-case name to value, in order
 */
public record Directives(char escape, Map<String, String> values) {
  public Directives {
    if (escape != '\\' && escape != '`') {
      throw new IllegalArgumentException("escape must be \\ or `");
    }
    values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  public static final Directives DEFAULT = new Directives('\\', Map.of());

  public Optional<String> syntax() {
    return Optional.ofNullable(values.get("syntax"));
  }

  public Optional<String> check() {
    return Optional.ofNullable(values.get("check"));
  }
}
