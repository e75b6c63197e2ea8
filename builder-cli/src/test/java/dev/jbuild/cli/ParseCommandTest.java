package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.cli.InProcessCli.Result;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jbuild parse} through the real command line. */
class ParseCommandTest {
  @TempDir Path dir;

  static Result jbuild(String... args) {
    return InProcessCli.capture(
        Main.commandLine(), cli -> Main.execute(cli, Main.withImplicitBuild(args)));
  }

  private Path dockerfile(String text) throws Exception {
    Path f = dir.resolve("Dockerfile");
    Files.writeString(f, text, StandardCharsets.UTF_8);
    return f;
  }

  private static final String MULTI =
      """
      ARG BASE=alpine:3.19
      FROM golang:1.22 AS build
      ARG VERSION=dev
      RUN go build -ldflags "-X main.version=$VERSION" -o /app
      FROM $BASE AS test
      RUN echo test
      FROM $BASE
      ARG VERSION=dev
      LABEL version=$VERSION
      COPY --from=build /app /usr/local/bin/app
      """;

  @Test
  void jsonDumpOfAllStages() throws Exception {
    Path f = dockerfile(MULTI);
    Result r =
        jbuild("parse", "-f", f.toString(), "--format", "json", "--build-arg", "VERSION=1.2");
    assertEquals(0, r.exit(), r.err());
    JsonObject root = (JsonObject) Json.parse(r.out());
    assertEquals(f.toString(), root.string("file"));
    JsonArray stages = root.array("stages");
    assertEquals(3, stages.size());
    JsonObject last = (JsonObject) stages.get(2);
    assertEquals("alpine:3.19", last.string("base"));
    assertEquals("image", last.string("baseKind"));
    assertEquals("[0]", last.array("dependsOn").toString());
    JsonObject label = (JsonObject) last.array("instructions").get(1);
    assertEquals("LABEL", label.string("instruction"));
    assertEquals(9, label.longValue("line"));
    JsonObject pair = (JsonObject) label.array("labels").get(0);
    assertEquals("1.2", pair.string("value"));
    JsonObject copy = (JsonObject) last.array("instructions").get(2);
    assertEquals(0L, copy.object("fromRef").longValue("stage"));
  }

  @Test
  void targetPrunesAndTextIsTheDefault() throws Exception {
    Path f = dockerfile(MULTI);
    Result r = jbuild("parse", "-f", f.toString(), "--target", "TEST");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("stage 1 \"test\": FROM alpine:3.19 (image), target"), r.out());
    assertTrue(!r.out().contains("stage 0"), r.out());
    assertTrue(r.out().contains("pruned stages: [0, 2]"), r.out());
    assertTrue(r.out().contains("   6  RUN [\"/bin/sh\",\"-c\",\"echo test\"]"), r.out());
  }

  @Test
  void invalidDockerfileExitsThreeWithCaret() throws Exception {
    Path f = dockerfile("FROM alpine\nCOPY onlyone\n");
    Result r = jbuild("parse", "-f", f.toString());
    assertEquals(ExitCodes.DOCKERFILE, r.exit());
    assertEquals("", r.out());
    assertTrue(
        r.err().startsWith("jbuild: " + f + ":2:1: COPY requires at least two arguments"), r.err());
    assertTrue(r.err().contains("    2 | COPY onlyone\n      | ^"), r.err());
  }

  @Test
  void missingFileExitsFour() {
    Result r = jbuild("parse", "-f", dir.resolve("nope").toString());
    assertEquals(ExitCodes.NOT_FOUND, r.exit());
    assertTrue(r.err().contains("nope: no such file"), r.err());
  }

  @Test
  void defaultFileIsDockerfileInTheWorkingDirectory() {
    // the tests run in builder-cli/, which has no Dockerfile
    Result r = jbuild("parse");
    assertEquals(ExitCodes.NOT_FOUND, r.exit());
    assertEquals("jbuild: Dockerfile: no such file\n", r.err());
  }

  @Test
  void unknownTargetExitsFour() throws Exception {
    Path f = dockerfile(MULTI);
    Result r = jbuild("parse", "-f", f.toString(), "--target", "buld");
    assertEquals(ExitCodes.NOT_FOUND, r.exit());
    assertTrue(r.err().contains("target stage \"buld\" could not be found"), r.err());
  }

  @Test
  void badOptionsExitTwo() throws Exception {
    Path f = dockerfile(MULTI);
    assertEquals(
        ExitCodes.USAGE, jbuild("parse", "-f", f.toString(), "--platform", "a/b/c/d").exit());
    assertEquals(ExitCodes.USAGE, jbuild("parse", "-f", f.toString(), "--format", "yaml").exit());
    assertEquals(ExitCodes.USAGE, jbuild("parse", "-f", f.toString(), "--build-arg", "=x").exit());
  }

  @Test
  void readsStandardInput() {
    InputStream saved = System.in;
    try {
      System.setIn(
          new ByteArrayInputStream(
              "FROM busybox\nARG TARGETARCH\nRUN echo $TARGETARCH\n"
                  .getBytes(StandardCharsets.UTF_8)));
      Result r = jbuild("parse", "-f", "-", "--format", "json", "--platform", "linux/arm64");
      assertEquals(0, r.exit(), r.err());
      JsonObject root = (JsonObject) Json.parse(r.out());
      assertEquals("<stdin>", root.string("file"));
      JsonObject arg =
          (JsonObject)
              ((JsonObject) ((JsonObject) root.array("stages").get(0)).array("instructions").get(0))
                  .array("args")
                  .get(0);
      assertEquals("arm64", arg.string("value"));
    } finally {
      System.setIn(saved);
    }
  }
}
