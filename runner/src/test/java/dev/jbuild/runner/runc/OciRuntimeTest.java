package dev.jbuild.runner.runc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbuild.runner.OutputSink;
import dev.jbuild.runner.RunnerException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciRuntimeTest {
  @TempDir Path tmp;

  OciRuntime runtime() throws RunnerException {
    return OciRuntime.of(Path.of("/bin/true"), tmp.resolve("state"));
  }

  @Test
  void readsTheLastErrorOfRuncAndCrunLogs() throws Exception {
    Files.writeString(
        tmp.resolve(OciRuntime.LOG_FILE),
        "{\"level\":\"warning\",\"msg\":\"ignored\",\"time\":\"t\"}\n"
            + "{\"level\":\"error\",\"msg\":\"runc run failed: unable to start container process:"
            + " exec: \\\"x\\\": executable file not found in $PATH\",\"time\":\"t\"}\n");
    assertEquals(
        Optional.of(
            "unable to start container process: exec: \"x\": executable file not found in $PATH"),
        runtime().loggedError(tmp));
    Files.writeString(
        tmp.resolve(OciRuntime.LOG_FILE),
        "{\"msg\":\"cgroups in hybrid mode not supported\",\"level\":\"error\",\"time\":\"t\"}");
    assertEquals(Optional.of("cgroups in hybrid mode not supported"), runtime().loggedError(tmp));
    Files.delete(tmp.resolve(OciRuntime.LOG_FILE));
    assertEquals(Optional.empty(), runtime().loggedError(tmp));
  }

  @Test
  void logLinesAreJsonWithEscapesAndAnythingElseIsSkipped() throws Exception {
    Files.writeString(
        tmp.resolve(OciRuntime.LOG_FILE),
        "{\"level\":\"error\",\"msg\":\"first\"}\n"
            + "not json: {\"level\":\"error\",\"msg\":\"unstructured\"}\n"
            + "{\"level\":\"fatal\",\"msg\":\"tab\\there \\\"q\\\" back\\\\slash \\u00e9\"}\n"
            + "{\"level\":\"error\",\"msg\":42}\n"
            + "{\"level\":\"info\",\"msg\":\"later, not an error\"}\n");
    assertEquals(Optional.of("tab\there \"q\" back\\slash \u00e9"), runtime().loggedError(tmp));
  }

  @Test
  void theStatusIsReadFromTheStateDocument() throws Exception {
    Path fake = tmp.resolve("fake-runtime");
    Files.writeString(
        fake,
        "#!/bin/sh\n"
            + "case \"$3 $4\" in\n"
            + "  'state running-one') echo 'a warning on stderr' >&2;"
            + " printf '{\\n  \"ociVersion\": \"1.0.2\",\\n  \"id\": \"x{y}\",\\n"
            + "  \"status\": \"running\"\\n}\\n' ;;\n"
            + "  'state garbage') echo '{\"status\": ' ;;\n"
            + "  *) exit 1 ;;\n"
            + "esac\n");
    Files.setPosixFilePermissions(
        fake, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    OciRuntime r = OciRuntime.of(fake, tmp.resolve("state"));
    assertEquals(Optional.of("running"), r.status("running-one"));
    assertEquals(Optional.empty(), r.status("garbage"));
    assertEquals(Optional.empty(), r.status("gone"));
  }

  @Test
  void failuresGetDockersExitCodes() throws Exception {
    OciRuntime r = runtime();
    assertEquals(127, r.failure("exec: \"x\": executable file not found in $PATH").exitCode());
    assertEquals(126, r.failure("exec: \"/etc\": permission denied").exitCode());
    RunnerException other = r.failure("cgroups in hybrid mode not supported");
    assertEquals(125, other.exitCode());
    assertEquals(
        "OCI runtime /bin/true cannot run containers here: cgroups in hybrid mode not supported",
        other.getMessage());
  }

  @Test
  void aMissingRuntimeIsNamed() {
    RunnerException e =
        assertThrows(RunnerException.class, () -> OciRuntime.of(Path.of("no-such-runtime"), tmp));
    assertEquals(
        "OCI runtime no-such-runtime not found (install runc, or pass --runtime PATH)",
        e.getMessage());
  }

  @Test
  void linesAreSplitAndTheRuntimesOwnErrorDropped() {
    List<String> lines = new ArrayList<>();
    String text = "a\r\nb\n\nrunc run failed: boom\nlast";
    new LineReader(
            new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
            OutputSink.Stream.STDERR,
            (s, l) -> lines.add(l))
        .run();
    assertEquals(List.of("a", "b", "", "last"), lines);
  }

  @Test
  void longLinesArriveInPieces() {
    List<String> lines = new ArrayList<>();
    byte[] big = "x".repeat(OutputSink.MAX_LINE + 10).getBytes(StandardCharsets.UTF_8);
    new LineReader(new ByteArrayInputStream(big), OutputSink.Stream.STDOUT, (s, l) -> lines.add(l))
        .run();
    assertEquals(2, lines.size());
    assertEquals(OutputSink.MAX_LINE, lines.get(0).length());
    assertEquals(10, lines.get(1).length());
  }
}
