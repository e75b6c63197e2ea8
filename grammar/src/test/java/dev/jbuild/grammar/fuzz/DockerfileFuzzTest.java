package dev.jbuild.grammar.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jbuild.grammar.Dockerfile;
import dev.jbuild.grammar.DockerfileException;
import dev.jbuild.grammar.Dockerfiles;
import dev.jbuild.grammar.dump.PlanDump;
import dev.jbuild.grammar.dump.PlanText;
import dev.jbuild.grammar.graph.BuildGraph;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.PlanOptions;
import java.nio.charset.StandardCharsets;

/**
 * The whole front end on arbitrary bytes: parse, plan (global ARGs, FROM expansion, stage graph)
 * and {@code jbuild parse}'s dump, which expands every instruction with its stage's scope and
 * computes every RUN's argv, and the build checks. The only allowed failure is {@link
 * DockerfileException} (an invalid Dockerfile, named file:line:col); anything else, a
 * StackOverflowError or a hang is a finding.
 *
 * <p>{@code mvn verify} runs the seeds of {@code DockerfileFuzzTestInputs/dockerfile/} (test
 * resources); {@code bench/fuzz.sh dockerfile SECONDS} fuzzes.
 */
class DockerfileFuzzTest {
  @FuzzTest(maxDuration = "10m")
  void dockerfile(byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    try {
      Dockerfile df = Dockerfiles.parse("Dockerfile", text);
      BuildPlan plan = BuildGraph.plan(df, PlanOptions.defaults());
      PlanDump.json(plan, PlanDump.Scope.ALL);
      PlanText.text(plan, PlanDump.Scope.ALL);
      // the build checks run on every build: no exception either, whatever the Dockerfile
      dev.jbuild.grammar.checks.Checks.run(
          plan,
          text,
          true,
          dev.jbuild.grammar.checks.BaseEnv.UNKNOWN,
          java.util.Optional.of(
              dev.jbuild.grammar.ignore.Dockerignore.of(java.util.List.of("*", "a/**"))));
    } catch (DockerfileException expected) {
      if (expected.line() < 1 || expected.column() < 1) {
        throw new AssertionError("error without a position: " + expected.getMessage());
      }
    }
  }
}
