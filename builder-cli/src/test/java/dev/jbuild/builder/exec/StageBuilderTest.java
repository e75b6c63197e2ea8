package dev.jbuild.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.BuildFailure;
import dev.jbuild.builder.core.BaseImage;
import dev.jbuild.builder.core.StageState;
import dev.jbuild.builder.fakes.Engine;
import dev.jbuild.builder.fakes.Plans;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.Stage;
import dev.jbuild.layercache.model.History;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageBuilderTest {
  static final String DOCKERFILE =
      "FROM scratch\nENV A=1\nCOPY app.txt /app/\nRUN make\nCMD [\"/app/run\"]\n";

  @TempDir Path dir;
  Engine engine;

  @BeforeEach
  void setUp() throws Exception {
    engine = new Engine(dir);
    engine.write("app.txt", "v1\n");
  }

  /** Builds the target stage of {@code dockerfile} with a fresh executor (a new build). */
  private StageResult build(String dockerfile) throws Exception {
    BuildPlan plan = Plans.plan(dockerfile);
    StepExecutor executor = engine.executor(false);
    try {
      return stage(plan, plan.target(), executor);
    } finally {
      executor.explainer().save();
    }
  }

  private StageResult stage(BuildPlan plan, Stage stage, StepExecutor executor) throws Exception {
    ImageResolver noRegistry =
        (ref, platform, pull, progress, shown) -> {
          throw new IOException("no registry in unit tests: " + ref);
        };
    return new StageBuilder(
            plan, stage, engine.services(), executor, noRegistry, new AtomicInteger(), false)
        .build();
  }

  /** A resolver that pulls (starts the FROM step) and answers an empty image. */
  private static ImageResolver pulling(boolean lazily) {
    return new ImageResolver() {
      @Override
      public dev.jbuild.builder.core.BaseImage resolve(
          String ref,
          dev.jbuild.layercache.model.Platform platform,
          boolean pull,
          dev.jbuild.builder.progress.Progress progress,
          dev.jbuild.builder.progress.Step shown) {
        progress.started(shown);
        return StoreImages.scratch(platform);
      }

      @Override
      public boolean pullsLazily() {
        return lazily;
      }
    };
  }

  @Test
  void aPullStartsTheRunnersNetworkUnlessItIsALazyOneOfACacheImport() throws Exception {
    BuildPlan plan = Plans.plan("FROM example.com/base:1\nENV A=1\nRUN make\n");
    StepExecutor executor = engine.executor(false);
    new StageBuilder(
            plan,
            plan.target(),
            engine.services(),
            executor,
            pulling(true),
            new AtomicInteger(),
            false)
        .build();
    assertEquals(
        1, engine.runner.expected(), "only the miss before the RUN starts it, not the pull");
    // the same build again with an eager pull: the pull itself starts the network too
    StepExecutor again = engine.executor(true);
    new StageBuilder(
            plan,
            plan.target(),
            engine.services(),
            again,
            pulling(false),
            new AtomicInteger(),
            false)
        .build();
    assertEquals(3, engine.runner.expected());
  }

  @Test
  void runsTheInstructionsInOrderIntoConfigLayersAndHistory() throws Exception {
    StageState s = build(DOCKERFILE).state();
    assertEquals(List.of("A=1"), Plans.ownEnv(s.config().configOrEmpty().env()));
    assertEquals(List.of("/app/run"), s.config().configOrEmpty().cmd());
    assertEquals(2, s.layers().size());
    assertEquals(Map.of("app/app.txt", "v1\n"), engine.files(s.layers().get(0)));
    assertEquals(Map.of("out.txt", "made by RUN\n"), engine.files(s.layers().get(1)));
    assertEquals(s.diffIds(), s.config().diffIds());
    List<History> h = s.config().historyOrEmpty();
    assertEquals(
        List.of("ENV A=1", "COPY app.txt /app/", "RUN /bin/sh -c make", "CMD [\"/app/run\"]"),
        h.stream().map(History::createdBy).toList());
    assertEquals(
        List.of(true, false, false, true),
        h.stream().map(e -> Boolean.TRUE.equals(e.emptyLayer())).toList());
    assertEquals(List.of("A=1"), envOf(engine.runner.last().env()));
  }

  private static List<String> envOf(List<String> env) {
    return env.stream().filter(e -> e.startsWith("A=")).toList();
  }

  @Test
  void aRebuildHitsEveryStepAndGivesTheSameStage() throws Exception {
    StageState first = build(DOCKERFILE).state();
    int runs = engine.runner.requests().size();
    StageState second = build(DOCKERFILE).state();
    assertEquals(runs, engine.runner.requests().size(), "RUN ran again on a no-op rebuild");
    assertEquals(first.key(), second.key());
    assertEquals(first.layers(), second.layers());
    assertEquals(first.config(), second.config());
    // four steps, each cached on the second build only
    assertEquals(4, engine.progress.events("cached").size(), engine.progress.events().toString());
  }

  @Test
  void aChangedFileMissesItsCopyAndEveryLaterStepAndSaysWhy() throws Exception {
    StageState first = build(DOCKERFILE).state();
    Files.writeString(engine.context.resolve("app.txt"), "v2\n");
    StageState second = build(DOCKERFILE).state();
    assertEquals(2, engine.runner.requests().size(), "RUN did not run again");
    assertNotEquals(first.key(), second.key());
    assertEquals(Map.of("app/app.txt", "v2\n"), engine.files(second.layers().get(0)));
    List<String> finished = engine.progress.events("finished");
    assertTrue(
        finished.contains("finished [3/5] COPY app.txt /app/ (file app.txt changed)"),
        finished.toString());
    assertTrue(
        finished.contains("finished [4/5] RUN make (a previous step changed)"),
        finished.toString());
  }

  @Test
  void aStepsFailureNamesTheStepAndItsLines() throws Exception {
    engine.runner.exitCode(2).output("cc: error");
    BuildFailure f = assertThrows(BuildFailure.class, () -> build(DOCKERFILE));
    assertEquals("[4/5] RUN make", f.step());
    assertEquals(4, f.line());
    assertEquals(List.of("cc: error"), f.lastLines());
    assertTrue(f.getMessage().contains("exit code: 2"), f.getMessage());
  }

  @Test
  void aStageOnAnotherStageStartsFromItsResultAndKey() throws Exception {
    String df = "FROM scratch AS base\nENV B=1\nFROM base\nENV C=2\n";
    BuildPlan plan = Plans.plan(df);
    StepExecutor ex = engine.executor(false);
    StageResult base = stage(plan, plan.stages().get(0), ex);
    engine.stages.put(
        0,
        new BaseImage(
            base.state().config(), base.state().layers(), base.state().key(), Optional.empty()));
    StageState child = stage(plan, plan.stages().get(1), ex).state();
    assertEquals(List.of("B=1", "C=2"), Plans.ownEnv(child.config().configOrEmpty().env()));
    assertEquals(
        List.of("ENV B=1", "ENV C=2"),
        child.config().historyOrEmpty().stream().map(History::createdBy).toList());
  }

  @Test
  void onbuildTriggersOfTheBaseRunFirst() throws Exception {
    String df = "FROM scratch AS base\nONBUILD ENV T=1\nFROM base\nENV C=2\n";
    BuildPlan plan = Plans.plan(df);
    StepExecutor ex = engine.executor(false);
    StageResult base = stage(plan, plan.stages().get(0), ex);
    assertEquals(List.of("ENV T=1"), base.state().config().configOrEmpty().onBuild());
    engine.stages.put(
        0,
        new BaseImage(
            base.state().config(), base.state().layers(), base.state().key(), Optional.empty()));
    StageState child = stage(plan, plan.stages().get(1), ex).state();
    assertEquals(List.of("T=1", "C=2"), Plans.ownEnv(child.config().configOrEmpty().env()));
    assertTrue(
        child.config().configOrEmpty().onBuild() == null
            || child.config().configOrEmpty().onBuild().isEmpty());
  }
}
