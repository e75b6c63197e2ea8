package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.SourceRange;
import java.util.Optional;

/**
 * {@code FROM [--platform=P] image [AS name]}. The image and platform are as written (the build
 * graph expands them with the global ARGs); the stage name is lower-cased and validated as Docker
 * does.
 */
public record FromInstruction(
    SourceRange range,
    String text,
    String image,
    Optional<String> platform,
    Optional<String> stageName)
    implements Instruction {
  public FromInstruction {
    if (range == null || text == null || image == null || platform == null || stageName == null) {
      throw new IllegalArgumentException("FROM fields must not be null");
    }
  }

  @Override
  public Keyword keyword() {
    return Keyword.FROM;
  }
}
