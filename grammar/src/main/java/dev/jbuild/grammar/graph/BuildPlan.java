package dev.jbuild.grammar.graph;

import dev.jbuild.grammar.Dockerfile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The stages a build needs, resolved and ordered.
 *
 * @param globalArgs the global scope after the ARGs before the first FROM: the automatic platform
 *     ARGs, then each global ARG with a value (build-arg, else expanded default)
 * @param allStages every stage of the Dockerfile
 * @param targetIndex the stage to build
 * @param stages the stages the target needs (itself included), ascending index; every stage depends
 *     only on stages before it, so this order is a valid build order
 * @param budget what the plan's variable expansions may still produce ({@link ExpansionBudget})
 */
public record BuildPlan(
    Dockerfile dockerfile,
    PlanOptions options,
    Map<String, String> globalArgs,
    List<Stage> allStages,
    int targetIndex,
    List<Stage> stages,
    ExpansionBudget budget) {

  public BuildPlan(
      Dockerfile dockerfile,
      PlanOptions options,
      Map<String, String> globalArgs,
      List<Stage> allStages,
      int targetIndex,
      List<Stage> stages) {
    this(dockerfile, options, globalArgs, allStages, targetIndex, stages, new ExpansionBudget());
  }

  public BuildPlan {
    globalArgs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(globalArgs));
    allStages = List.copyOf(allStages);
    stages = List.copyOf(stages);
  }

  public Stage target() {
    return allStages.get(targetIndex);
  }

  /** Indexes of the stages the target does not need. */
  public List<Integer> pruned() {
    List<Integer> out = new ArrayList<>();
    for (Stage s : allStages) {
      if (!stages.contains(s)) {
        out.add(s.index());
      }
    }
    return out;
  }

  /**
   * A fresh scope for {@code stage} over its base image's environment ({@code K=V}; for a stage
   * built on another stage, that stage's final config env).
   */
  public StageScope scope(Stage stage, List<String> imageEnv) {
    return StageScope.of(imageEnv, globalArgs, options.buildArgs(), dockerfile.escape(), budget);
  }
}
