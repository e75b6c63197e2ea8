package dev.jbuild.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.grammar.graph.BuildGraph;
import dev.jbuild.grammar.graph.PlanOptions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code # syntax=}: the docker/dockerfile versions jbuild implements, labs-only flags. */
class SyntaxTest {
  private static final String DIGEST = "@sha256:" + "ab".repeat(32);

  private static void plan(String text, Map<String, String> args) {
    BuildGraph.plan(
        Dockerfiles.parse("Dockerfile", text), PlanOptions.defaults().withBuildArgs(args));
  }

  private static String error(String text, Map<String, String> args) {
    return assertThrows(DockerfileException.class, () -> plan(text, args)).getMessage();
  }

  @Test
  void acceptsTheDockerfileFrontendTags() {
    for (String v :
        new String[] {
          "docker/dockerfile:1",
          "docker/dockerfile:1.7",
          "docker/dockerfile:1.7.1",
          "docker/dockerfile:1-labs",
          "docker/dockerfile:1.7-labs",
          "docker.io/docker/dockerfile:1",
          "docker/dockerfile:1" + DIGEST,
          "docker.io/docker/dockerfile:1.4" + DIGEST,
          "docker/dockerfile",
          "docker/dockerfile:latest",
          "docker/dockerfile:labs"
        }) {
      assertTrue(Syntax.parse(v).isPresent(), v);
      plan("# syntax=" + v + "\nFROM scratch\n", Map.of());
    }
    assertEquals(
        Optional.of(new Syntax("docker/dockerfile:1.7-labs", 7, true)),
        Syntax.parse("docker/dockerfile:1.7-labs"));
  }

  @Test
  void refusesOtherFrontendsNamingThem() {
    for (String v :
        new String[] {
          "example.com/my/frontend:1",
          "docker/dockerfile:2",
          "docker/dockerfile-upstream:1",
          "tonistiigi/x"
        }) {
      assertEquals(
          "Dockerfile:1:10: unsupported frontend \""
              + v
              + "\" in the syntax directive: jbuild implements docker/dockerfile:1 (1.x, 1.x.y,"
              + " -labs) itself and cannot run other frontend images",
          error("# syntax=" + v + "\nFROM scratch\n", Map.of()));
    }
    // a directive with leading spaces in the value: the column is the value's
    assertTrue(
        error("#  syntax = other/frontend\nFROM scratch\n", Map.of())
            .startsWith("Dockerfile:1:13: "));
  }

  @Test
  void buildkitSyntaxBuildArgOverridesTheDirective() {
    plan(
        "# syntax=example.com/frontend\nFROM scratch\n",
        Map.of("BUILDKIT_SYNTAX", "docker/dockerfile:1"));
    assertTrue(
        error("FROM scratch\n", Map.of("BUILDKIT_SYNTAX", "example.com/frontend"))
            .contains(
                "unsupported frontend \"example.com/frontend\" in --build-arg BUILDKIT_SYNTAX"));
  }

  @Test
  void labsOnlyFlagsNeedLabsOrTheStableVersion() {
    String parents = "FROM scratch\nCOPY --parents a/b /dst/\n";
    assertEquals(
        "Dockerfile:3:1: COPY --parents needs docker/dockerfile:1.20 or later, or a -labs syntax;"
            + " the syntax directive asks for docker/dockerfile:1.7",
        error("# syntax=docker/dockerfile:1.7\n" + parents, Map.of()));
    plan("# syntax=docker/dockerfile:1.7-labs\n" + parents, Map.of());
    plan("# syntax=docker/dockerfile:1.20\n" + parents, Map.of());
    plan("# syntax=docker/dockerfile:1\n" + parents, Map.of());
    plan(parents, Map.of());

    String exclude = "FROM scratch\nADD --exclude=*.md . /dst/\n";
    assertTrue(
        error("# syntax=docker/dockerfile:1.18\n" + exclude, Map.of())
            .contains("ADD --exclude needs docker/dockerfile:1.19 or later"));
    plan("# syntax=docker/dockerfile:1.19\n" + exclude, Map.of());

    String security = "FROM scratch\nRUN --security=insecure true\n";
    assertTrue(
        error("# syntax=docker/dockerfile:1.19.2\n" + security, Map.of())
            .contains("RUN --security needs docker/dockerfile:1.20"));
    plan("# syntax=docker/dockerfile:1.19-labs\n" + security, Map.of());
    // the build arg decides when given
    plan(
        "# syntax=docker/dockerfile:1.7\n" + parents,
        Map.of("BUILDKIT_SYNTAX", "docker/dockerfile:1-labs"));
  }
}
