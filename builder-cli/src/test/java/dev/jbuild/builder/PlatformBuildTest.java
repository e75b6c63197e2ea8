package dev.jbuild.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbuild.builder.fakes.Plans;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.layercache.model.Platform;
import org.junit.jupiter.api.Test;

class PlatformBuildTest {
  private static final String DOCKERFILE =
      """
      FROM --platform=linux/arm64 busybox AS native
      FROM native AS derived
      FROM --platform=linux/s390x derived AS overridden
      FROM busybox
      """;

  @Test
  void aStageOnAnotherStageRunsForThatStagesPlatform() {
    BuildPlan plan = Plans.plan(DOCKERFILE);
    PlatformBuild b = new PlatformBuild(Platform.linux("amd64"), plan);
    assertEquals(Platform.linux("arm64"), b.platformOf(plan.allStages().get(0)));
    // BuildKit's dispatchState.init: the base stage's platform, whatever the stage's own FROM says
    assertEquals(Platform.linux("arm64"), b.platformOf(plan.allStages().get(1)));
    assertEquals(Platform.linux("arm64"), b.platformOf(plan.allStages().get(2)));
    assertEquals(Platform.linux("amd64"), b.platformOf(plan.allStages().get(3)));
  }
}
