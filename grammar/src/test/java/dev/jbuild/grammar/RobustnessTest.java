package dev.jbuild.grammar;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.grammar.dump.PlanDump;
import dev.jbuild.grammar.dump.PlanText;
import dev.jbuild.grammar.graph.BuildGraph;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.PlanOptions;
import dev.jbuild.grammar.graph.PlatformSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Mutated corpus Dockerfiles (fixed seed): parsing, planning and dumping either succeed or fail
 * with a {@link DockerfileException} naming a line inside the file; never another exception.
 */
class RobustnessTest {
  private static final String ALPHABET =
      " \t\n\r\\`\"'$${}[]<<-#=:,/*?!%~^0123EOFRUNCOPY--mount=from ONBUILD HEALTHCHECK ARG ENV"
          + " \u00a0\ufeff\u00e9 --chmod=u+x --platform=$X AS x --from=0 <<-'E'";

  @Test
  void mutatedInputsFailCleanly() throws IOException {
    List<String> corpus;
    try (Stream<Path> dirs = Files.list(GoldenCorpusTest.CORPUS)) {
      corpus =
          dirs.sorted()
              .map(d -> d.resolve("Dockerfile"))
              .map(
                  p -> {
                    try {
                      return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  })
              .toList();
    }
    Random random = new Random(Long.getLong("fuzz.seed", 20261122));
    PlatformSpec amd64 = PlatformSpec.parse("linux/amd64");
    PlanOptions options = PlanOptions.defaults().withTargetPlatform(amd64).withBuildPlatform(amd64);
    int parsed = 0;
    int rejected = 0;
    for (int i = 0; i < Integer.getInteger("fuzz.n", 4000); i++) {
      String base = corpus.get(random.nextInt(corpus.size()));
      String text = mutate(base, random);
      try {
        BuildPlan plan = BuildGraph.plan(Dockerfiles.parse("Dockerfile", text), options);
        PlanDump.json(plan, PlanDump.Scope.ALL);
        PlanText.text(plan, PlanDump.Scope.ALL);
        parsed++;
      } catch (DockerfileException e) {
        long lines = text.lines().count();
        assertTrue(
            e.line() >= 1 && e.line() <= Math.max(1, lines) && e.column() >= 1,
            "bad location " + e.getMessage() + " for:\n" + text);
        e.render();
        rejected++;
      } catch (RuntimeException e) {
        throw new AssertionError("crash on input:\n" + text, e);
      }
    }
    assertTrue(parsed > 100 && rejected > 100, parsed + " parsed, " + rejected + " rejected");
  }

  private static String mutate(String s, Random r) {
    StringBuilder sb = new StringBuilder(s);
    int edits = 1 + r.nextInt(4);
    for (int k = 0; k < edits; k++) {
      int pos = sb.isEmpty() ? 0 : r.nextInt(sb.length() + 1);
      switch (r.nextInt(3)) {
        case 0 -> {
          int from = r.nextInt(ALPHABET.length());
          int len = 1 + r.nextInt(Math.min(4, ALPHABET.length() - from));
          sb.insert(pos, ALPHABET, from, from + len);
        }
        case 1 -> {
          if (pos < sb.length()) {
            sb.delete(pos, Math.min(sb.length(), pos + 1 + r.nextInt(6)));
          }
        }
        default -> {
          if (pos < sb.length()) {
            sb.setCharAt(pos, ALPHABET.charAt(r.nextInt(ALPHABET.length())));
          }
        }
      }
    }
    return sb.toString();
  }
}
