package dev.jbuild.grammar.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.grammar.Dockerfiles;
import dev.jbuild.grammar.instructions.CopyInstruction;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BuildGraphTest {
  private static BuildPlan plan(String dockerfile, PlanOptions options) {
    return BuildGraph.plan(Dockerfiles.parse("Dockerfile", dockerfile), options);
  }

  private static final PlanOptions DEFAULTS =
      PlanOptions.defaults()
          .withTargetPlatform(PlatformSpec.parse("linux/amd64"))
          .withBuildPlatform(PlatformSpec.parse("linux/amd64"));

  @Test
  void resolvesSourcesPerInstruction() {
    BuildPlan p =
        plan(
            "FROM alpine AS a\nFROM a\nCOPY --from=a /x /x\nCOPY y /y\n"
                + "RUN --mount=from=a,target=/m --mount=type=cache,target=/c true\n",
            DEFAULTS);
    Stage s = p.target();
    assertEquals(new SourceRef.StageRef(0), s.baseRef());
    assertEquals(Stage.BaseKind.STAGE, s.baseKind());
    assertEquals(Optional.of(new SourceRef.StageRef(0)), s.copySource(0));
    assertEquals(Optional.empty(), s.copySource(1));
    assertEquals(
        Optional.of(new SourceRef.StageRef(0)),
        s.sourceOf((CopyInstruction) s.instructions().get(0)));
    assertEquals(Optional.of(new SourceRef.StageRef(0)), s.mountSource(2, 0));
    assertEquals(Optional.empty(), s.mountSource(2, 1));
    assertEquals(List.of(0), s.dependsOn());
  }

  @Test
  void laterStagesAreFineWhenTheTargetDoesNotNeedThem() {
    BuildPlan p =
        plan(
            "FROM alpine AS a\nCOPY --from=b /x /x\nFROM alpine AS b\nFROM alpine AS c\n",
            DEFAULTS);
    assertEquals(2, p.targetIndex());
    assertEquals(List.of(0, 1), p.pruned());
    assertEquals(List.of(2), p.stages().stream().map(Stage::index).toList());
  }

  @Test
  void unknownTarget() {
    UnknownTargetException e =
        assertThrows(
            UnknownTargetException.class,
            () -> plan("FROM alpine AS build\n", DEFAULTS.withTarget("buld")));
    assertTrue(e.getMessage().contains("did you mean build?"), e.getMessage());
  }

  @Test
  void globalArgsIncludePlatformAndBuildArgs() {
    BuildPlan p =
        plan(
            "ARG V=1\nARG W\nFROM alpine:$V\n",
            DEFAULTS
                .withBuildArgs(Map.of("W", "w", "NOT_DECLARED", "x"))
                .withTargetPlatform(PlatformSpec.parse("linux/arm64/v8")));
    assertEquals("alpine:1", p.target().base());
    assertEquals("w", p.globalArgs().get("W"));
    assertEquals(null, p.globalArgs().get("NOT_DECLARED"));
    assertEquals("linux/arm64", p.globalArgs().get("TARGETPLATFORM"));
    assertEquals("", p.globalArgs().get("TARGETVARIANT"));
    assertEquals("linux/amd64", p.globalArgs().get("BUILDPLATFORM"));
  }

  @Test
  void fromMatchesStageNamesExactlyAndOnlyEarlierOnes() {
    BuildPlan p =
        plan("FROM node AS node\nFROM Node\nFROM later\nFROM alpine AS later\n", DEFAULTS);
    assertEquals(new SourceRef.ImageRef("node"), p.allStages().get(0).baseRef());
    assertEquals(new SourceRef.ImageRef("Node"), p.allStages().get(1).baseRef());
    assertEquals(new SourceRef.ImageRef("later"), p.allStages().get(2).baseRef());
  }

  @Test
  void platformsNormalise() {
    assertEquals("linux/arm64", PlatformSpec.parse("linux/aarch64").toString());
    assertEquals("linux/arm/v7", PlatformSpec.parse("linux/armhf").toString());
    assertEquals("linux/arm/v7", PlatformSpec.parse("linux/arm/7").toString());
    assertEquals("linux/amd64", PlatformSpec.parse("linux/x86_64").toString());
    assertEquals("linux/amd64", PlatformSpec.parse("amd64").toString());
    assertEquals("windows/amd64", PlatformSpec.parse("windows/amd64").toString());
    assertThrows(IllegalArgumentException.class, () -> PlatformSpec.parse("linux/"));
    assertThrows(IllegalArgumentException.class, () -> PlatformSpec.parse("plan10"));
    assertThrows(IllegalArgumentException.class, () -> PlatformSpec.parse("a/b/c/d"));
  }

  @Test
  void buildArgParsing() {
    assertEquals(
        Map.of("A", "1", "B", "", "HOME", "/root"),
        PlanOptions.parseBuildArgs(
            List.of("A=1", "B=", "HOME", "MISSING"), Map.of("HOME", "/root")));
    assertThrows(
        IllegalArgumentException.class, () -> PlanOptions.parseBuildArgs(List.of("=x"), Map.of()));
  }
}
