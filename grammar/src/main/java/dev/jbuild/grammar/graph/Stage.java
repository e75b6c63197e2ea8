package dev.jbuild.grammar.graph;

import dev.jbuild.grammar.instructions.FromInstruction;
import dev.jbuild.grammar.instructions.Instruction;
import java.util.List;
import java.util.Optional;

/**
 * A stage of a build plan.
 *
 * @param base the FROM image after expansion with the global ARGs
 * @param baseRef what the base resolves to: an earlier stage, scratch, or an image reference
 * @param platform the expanded and parsed {@code FROM --platform}, if given
 * @param instructions the stage's instructions after FROM, unexpanded (expand each with a {@link
 *     StageScope} as the build walks them)
 * @param dependencies the {@code COPY --from} and {@code RUN --mount from=} references, resolved
 * @param dependsOn the stages this one needs (base stage and dependencies), ascending
 */
public record Stage(
    int index,
    Optional<String> name,
    FromInstruction from,
    String base,
    SourceRef baseRef,
    Optional<PlatformSpec> platform,
    List<Instruction> instructions,
    List<Dependency> dependencies,
    List<Integer> dependsOn) {

  public enum BaseKind {
    SCRATCH,
    STAGE,
    IMAGE
  }

  /**
   * A reference from one instruction of the stage.
   *
   * @param instruction index in {@link #instructions()}
   * @param mount index among the RUN's mounts, or -1 for COPY --from
   * @param written the value as used for the lookup (COPY --from expanded with the global ARGs)
   */
  public record Dependency(int instruction, int mount, String written, SourceRef ref) {}

  public Stage {
    instructions = List.copyOf(instructions);
    dependencies = List.copyOf(dependencies);
    dependsOn = List.copyOf(dependsOn);
  }

  public BaseKind baseKind() {
    return switch (baseRef) {
      case SourceRef.Scratch s -> BaseKind.SCRATCH;
      case SourceRef.StageRef s -> BaseKind.STAGE;
      case SourceRef.ImageRef s -> BaseKind.IMAGE;
    };
  }

  /** The name, or "stage-N" (BuildKit's name for unnamed stages). */
  public String displayName() {
    return name.orElse("stage-" + index);
  }

  /** Where {@code COPY --from} of instruction {@code i} reads from (empty: the build context). */
  public Optional<SourceRef> copySource(int i) {
    return dependencies.stream()
        .filter(d -> d.instruction() == i && d.mount() < 0)
        .map(Dependency::ref)
        .findFirst();
  }

  /** The source of mount {@code m} of RUN {@code i} (empty: no from=, i.e. the build context). */
  public Optional<SourceRef> mountSource(int i, int m) {
    return dependencies.stream()
        .filter(d -> d.instruction() == i && d.mount() == m)
        .map(Dependency::ref)
        .findFirst();
  }

  /** {@link #copySource(int)} for an instruction of this stage, found by identity. */
  public Optional<SourceRef> sourceOf(Instruction instruction) {
    for (int i = 0; i < instructions.size(); i++) {
      if (instructions.get(i) == instruction) {
        return copySource(i);
      }
    }
    return Optional.empty();
  }
}
