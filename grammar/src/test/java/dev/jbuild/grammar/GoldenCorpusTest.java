package dev.jbuild.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jbuild.grammar.dump.PlanDump;
import dev.jbuild.grammar.dump.PlanText;
import dev.jbuild.grammar.graph.BuildGraph;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.PlanOptions;
import dev.jbuild.grammar.graph.PlatformSpec;
import dev.jbuild.grammar.graph.UnknownTargetException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The golden corpus in testdata/parse: each folder holds a Dockerfile, an optional {@code args}
 * file (lines {@code build-arg K=V}, {@code target T}, {@code platform P}, {@code build-platform
 * P}) and {@code expected}: the canonical JSON dump, or for a negative case the rendered error. A
 * negative case also states its diagnostic inside the Dockerfile: {@code # EXPECT-ERROR: line:col:
 * text} (text = a part of the message), or {@code # EXPECT-ERROR: text} for errors without a
 * location (unknown --target). Run with {@code -Djbuild.golden.update=true} to rewrite the expected
 * files.
 */
class GoldenCorpusTest {
  static final Path CORPUS = Path.of("..", "testdata", "parse");
  private static final Pattern EXPECT =
      Pattern.compile("#\\s*EXPECT-ERROR:\\s*(?:(\\d+):(\\d+):\\s*)?(.+?)\\s*$", Pattern.MULTILINE);
  private static final boolean UPDATE = Boolean.getBoolean("jbuild.golden.update");

  @TestFactory
  Stream<DynamicTest> corpus() throws IOException {
    List<Path> cases;
    try (Stream<Path> s = Files.list(CORPUS)) {
      cases = s.filter(Files::isDirectory).sorted().toList();
    }
    assertTrue(cases.size() >= 80, "the corpus has at least 80 cases, found " + cases.size());
    return cases.stream()
        .map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> check(dir)));
  }

  @org.junit.jupiter.api.Test
  void corpusHasEnoughNegativeCases() throws IOException {
    long negative;
    try (Stream<Path> s = Files.list(CORPUS)) {
      negative =
          s.filter(Files::isDirectory)
              .filter(
                  d -> {
                    try {
                      return EXPECT.matcher(Files.readString(d.resolve("Dockerfile"))).find();
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  })
              .count();
    }
    assertTrue(negative >= 25, "at least 25 negative cases, found " + negative);
  }

  static PlanOptions options(Path dir) throws IOException {
    Map<String, String> buildArgs = new LinkedHashMap<>();
    Optional<String> target = Optional.empty();
    PlatformSpec platform = PlatformSpec.parse("linux/amd64");
    PlatformSpec buildPlatform = PlatformSpec.parse("linux/amd64");
    Path args = dir.resolve("args");
    if (Files.exists(args)) {
      for (String line : Files.readAllLines(args, StandardCharsets.UTF_8)) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] kv = line.split(" ", 2);
        switch (kv[0]) {
          case "build-arg" -> {
            int eq = kv[1].indexOf('=');
            buildArgs.put(kv[1].substring(0, eq), kv[1].substring(eq + 1));
          }
          case "target" -> target = Optional.of(kv[1]);
          case "platform" -> platform = PlatformSpec.parse(kv[1]);
          case "build-platform" -> buildPlatform = PlatformSpec.parse(kv[1]);
          default -> fail("unknown args line in " + args + ": " + line);
        }
      }
    }
    return new PlanOptions(buildArgs, target, platform, buildPlatform);
  }

  private static void check(Path dir) throws IOException {
    String text = new String(Files.readAllBytes(dir.resolve("Dockerfile")), StandardCharsets.UTF_8);
    PlanOptions options = options(dir);
    Matcher expect = EXPECT.matcher(text);
    boolean negative = expect.find();
    String actual;
    String rendered = null;
    RuntimeException error = null;
    try {
      BuildPlan plan = BuildGraph.plan(Dockerfiles.parse("Dockerfile", text), options);
      PlanDump.Scope scope =
          options.target().isPresent() ? PlanDump.Scope.TARGET : PlanDump.Scope.ALL;
      actual = PlanDump.json(plan, scope);
      // the text form (jbuild parse --format text) has its own golden file
      rendered = PlanText.text(plan, scope);
    } catch (DockerfileException e) {
      error = e;
      actual = e.render() + "\n";
    } catch (UnknownTargetException e) {
      error = e;
      actual = e.getMessage() + "\n";
    }
    if (negative) {
      if (error == null) {
        fail(dir + ": expected an error (" + expect.group() + ") but it parsed");
      }
      if (expect.group(1) != null) {
        if (!(error instanceof DockerfileException de)) {
          throw new AssertionError(dir + ": expected a Dockerfile error, got " + error, error);
        }
        assertEquals(
            expect.group(1) + ":" + expect.group(2),
            de.line() + ":" + de.column(),
            dir + ": location of " + de.getMessage());
      }
      assertTrue(
          error.getMessage().contains(expect.group(3)),
          dir + ": message \"" + error.getMessage() + "\" lacks \"" + expect.group(3) + "\"");
    } else if (error != null) {
      throw new AssertionError(dir + ": unexpected error: " + actual, error);
    }
    Path expectedFile = dir.resolve("expected");
    Path expectedText = dir.resolve("expected.txt");
    if (UPDATE) {
      Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
      if (rendered != null) {
        Files.writeString(expectedText, rendered, StandardCharsets.UTF_8);
      }
      return;
    }
    if (rendered != null) {
      if (!Files.exists(expectedText)) {
        fail(dir + ": no expected.txt (run with -Djbuild.golden.update=true to create it)");
      }
      assertEquals(
          Files.readString(expectedText, StandardCharsets.UTF_8), rendered, dir + " (text form)");
    }
    if (!Files.exists(expectedFile)) {
      fail(dir + ": no expected file (run with -Djbuild.golden.update=true to create it)");
    }
    assertEquals(Files.readString(expectedFile, StandardCharsets.UTF_8), actual, dir.toString());
  }
}
