package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;
import java.util.List;

/** {@code ARG name[=default] ...}; defaults as written until expanded. */
public record ArgInstruction(SourceRange range, String text, List<ArgDeclaration> args)
    implements Instruction {
  public ArgInstruction {
    if (range == null || text == null || args == null || args.isEmpty()) {
      throw new IllegalArgumentException("ARG needs at least one name");
    }
    args = List.copyOf(args);
  }

  @Override
  public Keyword keyword() {
    return Keyword.ARG;
  }
}
