package dev.jbuild.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.grammar.dump.PlanDump;
import dev.jbuild.grammar.graph.BuildGraph;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.ExpansionBudget;
import dev.jbuild.grammar.graph.PlanOptions;
import dev.jbuild.grammar.graph.Stage;
import dev.jbuild.grammar.graph.StageScope;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.grammar.shell.WordExpander;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Hostile Dockerfiles of issue 10 (finding 8): each ends in a DockerfileException naming
 * file:line:col and the limit, or works, in bounded stack and memory. Work that used to recurse
 * runs on a thread with a 256 KiB stack, so a recursion over the input's size would overflow here.
 */
class LimitsTest {
  private static final long SMALL_STACK = 256 * 1024;

  private static String dump(String text) {
    BuildPlan plan = BuildGraph.plan(Dockerfiles.parse("Dockerfile", text), PlanOptions.defaults());
    return PlanDump.json(plan, PlanDump.Scope.ALL);
  }

  /** Runs {@code r} on a thread with a small stack; rethrows what it threw. */
  private static void onSmallStack(Runnable r) throws Throwable {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t =
        new Thread(
            null,
            () -> {
              try {
                r.run();
              } catch (Throwable e) {
                failure.set(e);
              }
            },
            "small-stack",
            SMALL_STACK);
    t.start();
    t.join();
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  private static DockerfileException refused(String text) throws Throwable {
    AtomicReference<DockerfileException> out = new AtomicReference<>();
    onSmallStack(() -> out.set(assertThrows(DockerfileException.class, () -> dump(text))));
    return out.get();
  }

  @Test
  void expansionsNested3000DeepAreRefusedWithTheLimit() throws Throwable {
    String text = "FROM scratch\nENV A=" + "${A:-".repeat(3000) + "x" + "}".repeat(3000) + "\n";
    DockerfileException e = refused(text);
    assertEquals(2, e.line());
    assertEquals(1, e.column());
    assertTrue(
        e.getMessage()
            .endsWith(
                "variable expansions nested deeper than " + WordExpander.MAX_NESTING + " levels"),
        e.getMessage());
    assertTrue(e.getMessage().startsWith("Dockerfile:2:1: failed to process"), e.getMessage());
  }

  @Test
  void nestingUpToTheLimitStillExpands() throws Throwable {
    int n = WordExpander.MAX_NESTING;
    String text = "FROM scratch\nENV A=" + "${A:-".repeat(n) + "x" + "}".repeat(n) + "\n";
    onSmallStack(() -> assertTrue(dump(text).contains("\"value\": \"x\"")));
  }

  @Test
  void aChainOf10000StagesIsPlannedWithoutRecursion() throws Throwable {
    StringBuilder b = new StringBuilder("FROM scratch AS s0\n");
    for (int i = 1; i <= 10_000; i++) {
      b.append("FROM s").append(i - 1).append(" AS s").append(i).append('\n');
    }
    b.append("COPY --from=s0 / /\n");
    onSmallStack(
        () -> {
          BuildPlan plan =
              BuildGraph.plan(
                  Dockerfiles.parse("Dockerfile", b.toString()), PlanOptions.defaults());
          assertEquals(10_001, plan.stages().size());
          PlanDump.json(plan, PlanDump.Scope.ALL);
        });
  }

  @Test
  void aLongCycleIsFoundWithoutRecursion() throws Throwable {
    StringBuilder b = new StringBuilder();
    int n = 5_000;
    for (int i = 0; i < n; i++) {
      b.append("FROM scratch AS s").append(i).append('\n');
      b.append("COPY --from=s").append((i + 1) % n).append(" / /\n");
    }
    DockerfileException e = refused(b.toString());
    assertEquals("Dockerfile:2:1: circular dependency detected on stage: s0", e.getMessage());
  }

  @Test
  void envDoublingFortyTimesIsRefusedAtTheWordLimit() throws Throwable {
    String text = "FROM scratch\nENV A=ab\n" + "ENV A=$A$A\n".repeat(40);
    DockerfileException e = refused(text);
    // ab doubled 19 times is exactly 1 MiB; the 20th doubling (line 22) is over
    assertEquals(22, e.line());
    assertEquals(
        "Dockerfile:22:1: failed to process \"$A$A\": expansion longer than "
            + WordExpander.MAX_LENGTH
            + " characters",
        e.getMessage());
  }

  @Test
  void manyLargeExpansionsExhaustThePlanBudget() throws Throwable {
    String text =
        "FROM scratch\nENV A=ab\n"
            + "ENV A=$A$A\n".repeat(18)
            + "LABEL x=$A\n".repeat(100); // 100 x 512 KiB, over the 16 MiB budget
    DockerfileException e = refused(text);
    assertTrue(
        e.getMessage()
            .endsWith(
                "variable expansions of this build produce more than "
                    + ExpansionBudget.MAX_TOTAL
                    + " characters in total"),
        e.getMessage());
    assertTrue(e.line() > 20 && e.line() < 120, e.getMessage());
  }

  @Test
  void twentyThousandArgsWithARunEachAreLinear() throws Throwable {
    // The scopes before each instruction are kept by the dump: copies of every ARG per scope would
    // be 2 x 10^8 map entries (far over the test JVM's heap); a shared history is 20,000.
    int n = 20_000;
    StringBuilder b = new StringBuilder("FROM scratch\n");
    for (int i = 0; i < n; i++) {
      b.append("ARG A").append(i).append('=').append(i).append('\n');
    }
    b.append("RUN true\n");
    onSmallStack(
        () -> {
          BuildPlan plan =
              BuildGraph.plan(
                  Dockerfiles.parse("Dockerfile", b.toString()), PlanOptions.defaults());
          Stage stage = plan.target();
          StageScope scope = plan.scope(stage, List.of("PATH=/bin"));
          StageScope[] all = new StageScope[stage.instructions().size()];
          int i = 0;
          for (Instruction in : stage.instructions()) {
            all[i++] = scope;
            scope.expand(in);
            scope = scope.apply(in);
          }
          assertEquals(n, scope.args().size());
          assertEquals("19999", scope.lookup("A19999"));
          assertEquals(n + 1, scope.runEnv().size());
          // an older scope still sees its own past, and applying it again forks
          assertEquals(null, all[5].lookup("A5"));
          assertEquals("4", all[5].lookup("A4"));
          StageScope fork = all[5].apply(stage.instructions().get(5));
          assertEquals(5 + 1, fork.args().size());
          assertEquals("19999", scope.lookup("A19999"));
        });
  }
}
