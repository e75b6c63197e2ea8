package dev.jbuild.grammar.checks;

import dev.jbuild.grammar.SourceRange;

/**
 * One build-check violation: the rule, BuildKit's message text, and where (BuildKit reports the
 * instruction's lines; {@link SourceRange#location()} gives {@code file:line:col}).
 */
public record Warning(Rule rule, String message, SourceRange range) {
  public Warning {
    if (rule == null || message == null || range == null) {
      throw new IllegalArgumentException("warning fields must not be null");
    }
  }

  /**
   * The line buildx prints after a build: {@code Rule: message (file:line:col)} (buildx writes
   * {@code (line N)}; jbuild names the file and column too).
   */
  public String shortText() {
    return rule.ruleName() + ": " + message + " (" + range.location() + ")";
  }
}
