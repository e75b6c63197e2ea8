package dev.jbuild.grammar;

import dev.jbuild.grammar.instructions.ArgInstruction;
import dev.jbuild.grammar.instructions.Instruction;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed Dockerfile: directives, the ARGs before the first FROM (global scope, usable in FROM
 * lines), and the stages. Nothing is expanded yet; see {@code graph.BuildGraph}.
 */
public record Dockerfile(
    String fileName,
    Directives directives,
    List<ArgInstruction> globalArgs,
    List<StageDefinition> stages) {
  public Dockerfile {
    if (fileName == null || directives == null || globalArgs == null || stages == null) {
      throw new IllegalArgumentException("Dockerfile fields must not be null");
    }
    globalArgs = List.copyOf(globalArgs);
    stages = List.copyOf(stages);
  }

  public char escape() {
    return directives.escape();
  }

  /** Every instruction in file order: global ARGs, then each stage's FROM and instructions. */
  public List<Instruction> instructions() {
    List<Instruction> out = new ArrayList<>(globalArgs);
    for (StageDefinition s : stages) {
      out.add(s.from());
      out.addAll(s.instructions());
    }
    return out;
  }
}
