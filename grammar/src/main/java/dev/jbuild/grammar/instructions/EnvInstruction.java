package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;
import java.util.List;

/**
 * {@code ENV k=v ...} or the legacy {@code ENV k v w} (value = the rest of the line). Keys and
 * values are as written until expanded.
 */
public record EnvInstruction(SourceRange range, String text, List<KeyValue> variables)
    implements Instruction {
  public EnvInstruction {
    if (range == null || text == null || variables == null || variables.isEmpty()) {
      throw new IllegalArgumentException("ENV needs at least one variable");
    }
    variables = List.copyOf(variables);
  }

  @Override
  public Keyword keyword() {
    return Keyword.ENV;
  }
}
