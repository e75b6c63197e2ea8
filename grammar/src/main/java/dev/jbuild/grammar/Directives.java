package dev.jbuild.grammar;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The parser directives at the top of a Dockerfile.
 *
 * @param escape the escape and line-continuation character: {@code \} (default) or {@code `}
 * @param values every directive given, lower-case name to value, in order
 * @param at where each directive's value starts (for errors about it)
 */
public record Directives(char escape, Map<String, String> values, Map<String, SourceRange> at) {
  public Directives(char escape, Map<String, String> values) {
    this(escape, values, Map.of());
  }

  public Directives {
    if (escape != '\\' && escape != '`') {
      throw new IllegalArgumentException("escape must be \\ or `");
    }
    values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
    at = Map.copyOf(at);
  }

  public static final Directives DEFAULT = new Directives('\\', Map.of());

  public Optional<String> syntax() {
    return Optional.ofNullable(values.get("syntax"));
  }

  /** Where directive {@code name}'s value is, or line 1 column 1 of {@code file}. */
  public SourceRange position(String name, String file) {
    SourceRange r = at.get(name);
    return r != null ? r : SourceRange.at(file, 1, 1);
  }

  public Optional<String> check() {
    return Optional.ofNullable(values.get("check"));
  }
}
