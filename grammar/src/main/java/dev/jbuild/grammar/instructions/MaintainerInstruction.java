package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;

/** {@code MAINTAINER name} (deprecated; sets the image's author). */
public record MaintainerInstruction(SourceRange range, String text, String maintainer)
    implements Instruction {
  public MaintainerInstruction {
    if (range == null || text == null || maintainer == null) {
      throw new IllegalArgumentException("MAINTAINER fields must not be null");
    }
  }

  @Override
  public Keyword keyword() {
    return Keyword.MAINTAINER;
  }
}
