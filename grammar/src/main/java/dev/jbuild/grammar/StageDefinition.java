package dev.jbuild.grammar;

import dev.jbuild.grammar.instructions.FromInstruction;
import dev.jbuild.grammar.instructions.Instruction;
import java.util.List;
import java.util.Optional;

/**
 * A stage as written: its FROM and the instructions up to the next FROM (unexpanded; the build
 * graph resolves and expands).
 */
public record StageDefinition(int index, FromInstruction from, List<Instruction> instructions) {
  public StageDefinition {
    if (index < 0 || from == null || instructions == null) {
      throw new IllegalArgumentException("bad stage definition");
    }
    instructions = List.copyOf(instructions);
  }

  public Optional<String> name() {
    return from.stageName();
  }

  /** The name, or "stage-N" as BuildKit calls unnamed stages in messages. */
  public String displayName() {
    return from.stageName().orElse("stage-" + index);
  }
}
