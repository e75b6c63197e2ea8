package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;

/** {@code CMD} in shell or exec form. */
public record CmdInstruction(SourceRange range, String text, Command command)
    implements Instruction {
  public CmdInstruction {
    if (range == null || text == null || command == null) {
      throw new IllegalArgumentException("CMD fields must not be null");
    }
  }

  @Override
  public Keyword keyword() {
    return Keyword.CMD;
  }
}
