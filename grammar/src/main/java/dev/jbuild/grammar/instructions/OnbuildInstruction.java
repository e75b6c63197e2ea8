package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;

/**
 * {@code ONBUILD <instruction>}. {@link #trigger()} is the nested instruction, parsed but not
 * expanded (Docker expands it when a child image runs it); {@link #expression()} is what Docker
 * stores in the image config's OnBuild list: the text after ONBUILD, heredoc bodies appended.
 */
public record OnbuildInstruction(
    SourceRange range, String text, Instruction trigger, String expression) implements Instruction {
  public OnbuildInstruction {
    if (range == null || text == null || trigger == null || expression == null) {
      throw new IllegalArgumentException("ONBUILD fields must not be null");
    }
    if (trigger instanceof OnbuildInstruction || trigger instanceof FromInstruction) {
      throw new IllegalArgumentException("not a valid ONBUILD trigger: " + trigger.keyword());
    }
  }

  @Override
  public Keyword keyword() {
    return Keyword.ONBUILD;
  }
}
