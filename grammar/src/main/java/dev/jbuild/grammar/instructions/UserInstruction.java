package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;

/** {@code USER user[:group]} (the rest of the line, as Docker reads it). */
public record UserInstruction(SourceRange range, String text, String user) implements Instruction {
  public UserInstruction {
    if (range == null || text == null || user == null) {
      throw new IllegalArgumentException("USER fields must not be null");
    }
  }

  @Override
  public Keyword keyword() {
    return Keyword.USER;
  }
}
