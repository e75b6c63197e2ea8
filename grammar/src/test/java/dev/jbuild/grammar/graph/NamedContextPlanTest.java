package dev.jbuild.grammar.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbuild.grammar.Dockerfiles;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NamedContextPlanTest {
  private static final String DOCKERFILE =
      """
      FROM nosuch.invalid/x:1 AS src
      RUN false
      FROM alpine AS tools
      FROM src
      COPY --from=tools /t /t
      COPY --from=src /s /s
      RUN --mount=from=src,target=/m true
      """;

  @Test
  void aNamedContextReplacesTheStageOfItsName() {
    BuildPlan plan =
        BuildGraph.plan(
            Dockerfiles.parse("Dockerfile", DOCKERFILE),
            PlanOptions.defaults().withNamedContexts(Set.of("src")));
    Stage last = plan.stages().getLast();
    assertEquals(new SourceRef.ImageRef("src"), last.baseRef());
    assertEquals(Optional.of(new SourceRef.StageRef(1)), last.copySource(0));
    assertEquals(Optional.of(new SourceRef.ImageRef("src")), last.copySource(1));
    assertEquals(Optional.of(new SourceRef.ImageRef("src")), last.mountSource(2, 0));
    // the replaced stage is not built
    assertEquals(List.of(1, 2), plan.stages().stream().map(Stage::index).toList());
  }

  @Test
  void withoutItTheStageIsUsed() {
    BuildPlan plan =
        BuildGraph.plan(Dockerfiles.parse("Dockerfile", DOCKERFILE), PlanOptions.defaults());
    assertEquals(new SourceRef.StageRef(0), plan.stages().getLast().baseRef());
    assertEquals(List.of(0, 1, 2), plan.stages().stream().map(Stage::index).toList());
  }
}
