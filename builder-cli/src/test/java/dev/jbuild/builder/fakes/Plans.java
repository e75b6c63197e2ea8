package dev.jbuild.builder.fakes;

import dev.jbuild.builder.core.BuildServices;
import dev.jbuild.builder.core.StageState;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.builder.exec.StoreImages;
import dev.jbuild.builder.steps.Step;
import dev.jbuild.builder.steps.StepFactory;
import dev.jbuild.grammar.Dockerfiles;
import dev.jbuild.grammar.graph.BuildGraph;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.PlanOptions;
import dev.jbuild.grammar.graph.PlatformSpec;
import dev.jbuild.grammar.graph.Stage;
import dev.jbuild.grammar.graph.StageScope;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.grammar.instructions.RunInstruction;
import dev.jbuild.layercache.model.Platform;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Dockerfile text turned into a plan, and a stage's instructions into steps, as StageBuilder does.
 */
public final class Plans {
  private Plans() {}

  public static BuildPlan plan(String dockerfile, Map<String, String> buildArgs) {
    return BuildGraph.plan(
        Dockerfiles.parse("Dockerfile", dockerfile),
        PlanOptions.defaults()
            .withBuildArgs(buildArgs)
            .withTargetPlatform(PlatformSpec.parse(Platform.host().toString()))
            .withBuildPlatform(PlatformSpec.host()));
  }

  public static BuildPlan plan(String dockerfile) {
    return plan(dockerfile, Map.of());
  }

  /** The state a stage on scratch starts from. */
  public static StageState scratch() {
    var base = StoreImages.scratch(Platform.host());
    return new StageState(base.config(), List.of(), base.key(), false);
  }

  /**
   * The steps of the target stage (on scratch), each made with the config the steps before it left
   * (their {@link Step#apply} only: nothing runs).
   */
  public static List<Step<?>> steps(
      String dockerfile, Map<String, String> args, BuildServices services) throws StepFailure {
    BuildPlan plan = plan(dockerfile, args);
    Stage stage = plan.target();
    StageState state = scratch();
    StageScope scope = plan.scope(stage, List.of());
    StepFactory factory = new StepFactory(services);
    StepFactory.StageFlags flags = new StepFactory.StageFlags();
    List<Step<?>> out = new ArrayList<>();
    List<Instruction> instructions = stage.instructions();
    for (int i = 0; i < instructions.size(); i++) {
      Instruction raw = instructions.get(i);
      Instruction in = scope.expand(raw);
      List<Optional<dev.jbuild.grammar.graph.SourceRef>> mounts = new ArrayList<>();
      if (in instanceof RunInstruction r) {
        for (int m = 0; m < r.mounts().size(); m++) {
          mounts.add(stage.mountSource(i, m));
        }
      }
      Step<?> step = factory.create(in, scope, state, flags, stage.copySource(i), mounts);
      scope = scope.apply(raw);
      state = state.withConfig(step.apply(state.config()));
      out.add(step);
    }
    return out;
  }

  /** {@code env} without the PATH every stage on scratch starts with. */
  public static List<String> ownEnv(List<String> env) {
    return env.stream().filter(e -> !e.startsWith("PATH=")).toList();
  }

  /** The config after the target stage's steps are applied. */
  public static dev.jbuild.layercache.model.ImageConfig config(
      String dockerfile, BuildServices services) throws StepFailure {
    dev.jbuild.layercache.model.ImageConfig c = scratch().config();
    for (Step<?> s : steps(dockerfile, Map.of(), services)) {
      c = s.apply(c);
    }
    return c;
  }
}
