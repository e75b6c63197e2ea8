package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;
import java.util.List;

/** {@code SHELL ["executable", "parameters"]} (JSON form only, at least one element). */
public record ShellInstruction(SourceRange range, String text, List<String> shell)
    implements Instruction {
  public ShellInstruction {
    if (range == null || text == null || shell == null || shell.isEmpty()) {
      throw new IllegalArgumentException("SHELL needs a non-empty shell");
    }
    shell = List.copyOf(shell);
  }

  @Override
  public Keyword keyword() {
    return Keyword.SHELL;
  }
}
