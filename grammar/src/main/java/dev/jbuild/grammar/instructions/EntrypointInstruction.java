package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;

/**
 * {@code ENTRYPOINT} in shell or exec form; {@code ENTRYPOINT} with no argument is an empty exec
 * form (it clears the entrypoint, as in BuildKit).
 */
public record EntrypointInstruction(SourceRange range, String text, Command command)
    implements Instruction {
  public EntrypointInstruction {
    if (range == null || text == null || command == null) {
      throw new IllegalArgumentException("ENTRYPOINT fields must not be null");
    }
  }

  @Override
  public Keyword keyword() {
    return Keyword.ENTRYPOINT;
  }
}
