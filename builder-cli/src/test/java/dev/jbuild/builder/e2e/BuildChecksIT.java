package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Build checks around a real build: the warnings buildx prints after the build (count line, then
 * one line per warning), none with {@code -q}, and {@code # check=error=true} failing before any
 * step runs.
 */
class BuildChecksIT {
  Path work;
  Path ctx;
  Path root;

  @BeforeEach
  void setUp() throws IOException {
    work = Files.createTempDirectory("jbuild-checks");
    ctx = Files.createDirectories(work.resolve("ctx"));
    root = work.resolve("store");
    try (Store store = Store.open(root)) {
      TestImages.busybox(store, "busybox:latest");
    }
  }

  @AfterEach
  void tearDown() throws IOException {
    CorpusCases.deleteTree(work);
  }

  private CorpusCases.Outcome jbuild(String dockerfile, String... args) throws IOException {
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    List<String> all = new ArrayList<>(List.of("--root", root.toString(), "build"));
    all.addAll(List.of(args));
    all.add(ctx.toString());
    return CorpusCases.jbuild(all.toArray(String[]::new));
  }

  @Test
  void warningsArePrintedAfterTheBuild() throws IOException {
    String df = "FROM busybox as Base\nMAINTAINER me\nRUN echo built > /b\nCMD cat /b\n";
    CorpusCases.Outcome o = jbuild(df, "--progress", "plain", "-t", "w:1");
    assertEquals(0, o.exit(), o.err());
    String tail = o.err().substring(o.err().lastIndexOf("\n 4 warnings found:\n"));
    assertEquals(
        "\n 4 warnings found:\n"
            + " - StageNameCasing: Stage name 'Base' should be lowercase (Dockerfile:1:1)\n"
            + " - FromAsCasing: 'as' and 'FROM' keywords' casing do not match (Dockerfile:1:1)\n"
            + " - MaintainerDeprecated: Maintainer instruction is deprecated in favor of using"
            + " label (Dockerfile:2:1)\n"
            + " - JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended"
            + " behavior related to OS signals (Dockerfile:4:1)\n",
        tail);
    // a no-op rebuild prints them again; -q and skip=all print none
    CorpusCases.Outcome again = jbuild(df, "--progress", "plain", "-t", "w:1");
    assertTrue(again.err().contains(" 4 warnings found:"), again.err());
    CorpusCases.Outcome quiet = jbuild(df, "-q", "-t", "w:1");
    assertEquals(0, quiet.exit(), quiet.err());
    assertEquals("", quiet.err());
    CorpusCases.Outcome skipped = jbuild("# check=skip=all\n" + df, "--progress", "plain");
    assertEquals(0, skipped.exit(), skipped.err());
    assertFalse(skipped.err().contains("warning"), skipped.err());
  }

  @Test
  void errorTrueFailsBeforeAnyStepRuns() throws IOException {
    String df = "# check=error=true\nFROM busybox\nENV A $B\nRUN echo must-not-run\n";
    CorpusCases.Outcome o = jbuild(df, "--progress", "plain", "-t", "e:1");
    assertEquals(1, o.exit(), o.err());
    // BuildKit names the rules in no particular order (a Go map)
    String failure = o.err().lines().filter(l -> l.contains("lint violation")).findFirst().get();
    assertTrue(
        failure.equals("jbuild: lint violation found for rules: UndefinedVar, LegacyKeyValueFormat")
            || failure.equals(
                "jbuild: lint violation found for rules: LegacyKeyValueFormat, UndefinedVar"),
        o.err());
    assertFalse(o.err().contains("must-not-run"), o.err());
    try (Store store = Store.open(root)) {
      assertTrue(store.images().resolve("e:1").isEmpty());
    }
    // BUILDKIT_DOCKERFILE_CHECK replaces the directive: the same file builds
    CorpusCases.Outcome ok =
        jbuild(df, "-q", "-t", "e:1", "--build-arg", "BUILDKIT_DOCKERFILE_CHECK=error=false");
    assertEquals(0, ok.exit(), ok.err());
  }
}
