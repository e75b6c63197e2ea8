package dev.jbuild.bench.parse;

import dev.jbuild.grammar.Dockerfile;
import dev.jbuild.grammar.Dockerfiles;
import dev.jbuild.grammar.graph.BuildGraph;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.PlanOptions;
import dev.jbuild.grammar.graph.PlatformSpec;
import dev.jbuild.grammar.graph.Stage;
import dev.jbuild.grammar.graph.StageScope;
import dev.jbuild.grammar.instructions.Instruction;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Parsing a generated Dockerfile ({@link GeneratedDockerfile}, 5,000 lines by default):
 *
 * <ul>
 *   <li>{@code parse}: text to instruction records (pre-pass, ANTLR, heredocs);
 *   <li>{@code plan}: parse + build graph (global ARGs, FROM expansion, stage references);
 *   <li>{@code expandAll}: plan + every instruction of every stage expanded with its stage scope,
 *       what a build does before it looks at the cache.
 * </ul>
 *
 * Warm (after JIT warm-up) average time; {@code coldParse} is one parse in a fresh JVM (a CLI
 * invocation pays that), single shot, averaged over several forks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx256m"})
public class ParseBenchmark {
  @Param({"5000"})
  public int lines;

  private String text;
  private Dockerfile parsed;
  private PlanOptions options;

  @Setup
  public void setup() {
    text = GeneratedDockerfile.lines(lines);
    parsed = Dockerfiles.parse("Dockerfile", text);
    PlatformSpec amd64 = PlatformSpec.parse("linux/amd64");
    options = new PlanOptions(Map.of("VERSION", "2.0.0"), Optional.empty(), amd64, amd64);
  }

  @Benchmark
  public Dockerfile parse() {
    return Dockerfiles.parse("Dockerfile", text);
  }

  @Benchmark
  public BuildPlan plan() {
    return BuildGraph.plan(Dockerfiles.parse("Dockerfile", text), options);
  }

  @Benchmark
  public void expandAll(Blackhole bh) {
    BuildPlan plan = BuildGraph.plan(Dockerfiles.parse("Dockerfile", text), options);
    for (Stage s : plan.allStages()) {
      StageScope scope = plan.scope(s, List.of("PATH=/usr/local/bin:/usr/bin:/bin"));
      for (Instruction i : s.instructions()) {
        bh.consume(scope.expand(i));
        scope = scope.apply(i);
      }
    }
  }

  /** The plan alone on an already parsed Dockerfile. */
  @Benchmark
  public BuildPlan planOnly() {
    return BuildGraph.plan(parsed, options);
  }

  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 0)
  @Measurement(iterations = 1)
  @Fork(
      value = 5,
      jvmArgsAppend = {"-Xmx256m"})
  public Dockerfile coldParse() {
    return Dockerfiles.parse("Dockerfile", text);
  }
}
