package dev.jbuild.grammar;

import dev.jbuild.grammar.instructions.Instruction;

/** Test helper: the instructions of a one-stage Dockerfile. */
public final class Parsing {
  private Parsing() {}

  /** Parses "FROM scratch" + {@code body} and returns the stage's {@code index}th instruction. */
  @SuppressWarnings("unchecked")
  public static <T extends Instruction> T instruction(String body, int index) {
    Dockerfile d = Dockerfiles.parse("Dockerfile", "FROM scratch\n" + body);
    return (T) d.stages().get(0).instructions().get(index);
  }

  public static <T extends Instruction> T instruction(String body) {
    return instruction(body, 0);
  }
}
