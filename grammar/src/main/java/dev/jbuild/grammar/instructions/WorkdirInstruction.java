package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;

/** {@code WORKDIR path} (relative paths resolve against the previous WORKDIR in the builder). */
public record WorkdirInstruction(SourceRange range, String text, String path)
    implements Instruction {
  public WorkdirInstruction {
    if (range == null || text == null || path == null) {
      throw new IllegalArgumentException("WORKDIR fields must not be null");
    }
  }

  @Override
  public Keyword keyword() {
    return Keyword.WORKDIR;
  }
}
