package dev.jbuild.grammar.ignore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.grammar.DockerfileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerignoreTest {
  @Test
  void readsTheFileFormat() {
    Dockerignore d =
        Dockerignore.parse(
            ".dockerignore",
            "\uFEFF# comment\r\n\r\n  /build/  \r\n! build/keep \r\n #not-a-comment\n./a/../b\n");
    assertEquals(List.of("build", "!build/keep", "#not-a-comment", "b"), d.patterns());
    assertTrue(d.excludes("build/x"));
    assertFalse(d.excludes("build/keep"));
    assertTrue(d.excludes("#not-a-comment"));
  }

  @Test
  void errorsNameFileAndLine() {
    DockerfileException e =
        assertThrows(
            DockerfileException.class, () -> Dockerignore.parse("ctx/.dockerignore", "a\n[x\n"));
    assertEquals("ctx/.dockerignore:2:1: syntax error in pattern", e.getMessage());
  }

  @Test
  void dockerfileSpecificIgnoreFileWins(@TempDir Path ctx) throws Exception {
    Path df = ctx.resolve("docker/Dockerfile.dev");
    Files.createDirectories(df.getParent());
    Files.writeString(df, "FROM a\n");
    assertEquals(Optional.empty(), Dockerignore.locate(ctx, df));
    assertTrue(Dockerignore.forContext(ctx, df).isEmpty());
    Files.writeString(ctx.resolve(".dockerignore"), "*.log\n");
    assertEquals(Optional.of(ctx.resolve(".dockerignore")), Dockerignore.locate(ctx, df));
    Files.writeString(ctx.resolve("docker/Dockerfile.dev.dockerignore"), "*.tmp\n");
    Dockerignore d = Dockerignore.forContext(ctx, df);
    assertEquals(Optional.of(ctx.resolve("docker/Dockerfile.dev.dockerignore")), d.source());
    assertTrue(d.excludes("a.tmp"));
    assertFalse(d.excludes("a.log"));
    assertEquals(List.of("*.log"), Dockerignore.forContext(ctx, null).patterns());
  }

  @Test
  void pathsAreCleaned() {
    Dockerignore d = Dockerignore.of(List.of("src/*.o"));
    assertTrue(d.excludes("./src/a.o"));
    assertTrue(d.excludes("src//a.o"));
    assertTrue(d.excludes("/src/a.o"));
    assertFalse(Dockerignore.empty().excludes("anything"));
  }
}
