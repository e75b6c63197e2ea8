package dev.jbuild.grammar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.grammar.instructions.Command;
import dev.jbuild.grammar.instructions.CopyInstruction;
import dev.jbuild.grammar.instructions.Instruction;
import dev.jbuild.grammar.instructions.RunInstruction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerfilesTest {
  @Test
  void emptyFileIsAnError() {
    DockerfileException e =
        assertThrows(DockerfileException.class, () -> Dockerfiles.parse("Dockerfile", ""));
    assertEquals("Dockerfile:1:1: " + Messages.noInstructions(), e.getMessage());
  }

  @Test
  void rangesAndTextOfAContinuedInstruction() {
    Dockerfile d = Dockerfiles.parse("df", "FROM alpine\n  RUN echo a \\\n# c\n      b\nCMD x\n");
    Instruction run = d.stages().get(0).instructions().get(0);
    assertEquals(new SourceRange("df", 2, 3, 4, 7), run.range());
    assertEquals("RUN echo a       b", run.text());
  }

  @Test
  void renderPointsAtTheColumn() {
    DockerfileException e =
        assertThrows(
            DockerfileException.class,
            () -> Dockerfiles.parse("app/Dockerfile", "FROM a\n\tCOPY --chmod=9 x /\n"));
    assertEquals(
        "app/Dockerfile:2:7: "
            + Messages.invalidChmod("9")
            + "\n    2 |  COPY --chmod=9 x /\n      |       ^",
        e.render());
  }

  @Test
  void triggersParseAsOneInstruction() {
    Instruction i = Dockerfiles.parseTrigger("RUN <<EOF\necho hi\nEOF", "ONBUILD of base");
    RunInstruction run = (RunInstruction) i;
    assertEquals(List.of("/bin/sh", "-c", "echo hi\n"), run.argv(Command.DEFAULT_SHELL));
    CopyInstruction copy =
        (CopyInstruction) Dockerfiles.parseTrigger("COPY --chown=1:1 . /app", "base");
    assertEquals(List.of("."), copy.sources());
    assertThrows(DockerfileException.class, () -> Dockerfiles.parseTrigger("FROM x", "base"));
    assertThrows(
        DockerfileException.class, () -> Dockerfiles.parseTrigger("ONBUILD RUN x", "base"));
    assertThrows(DockerfileException.class, () -> Dockerfiles.parseTrigger("RUN a\nRUN b", "base"));
  }

  @Test
  void unterminatedQuotesInFlagsRunToTheEndOfTheLine() {
    RunInstruction r =
        (RunInstruction)
            Dockerfiles.parse("d", "FROM a\nRUN --mount=\"target=/x echo\n")
                .stages()
                .get(0)
                .instructions()
                .get(0);
    assertEquals("/x echo", r.mounts().get(0).target().orElseThrow());
    assertEquals(new Command.ShellForm(""), r.command());
  }

  @Test
  void readsAFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("Containerfile");
    Files.writeString(f, "FROM busybox\nRUN true\n");
    Dockerfile d = Dockerfiles.parse(f);
    assertEquals(f.toString(), d.fileName());
    assertTrue(d.stages().get(0).instructions().get(0) instanceof RunInstruction);
  }
}
