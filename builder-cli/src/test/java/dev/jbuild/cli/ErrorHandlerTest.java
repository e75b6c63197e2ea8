package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.cli.InProcessCli.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The top-level handler through the real command line ({@link Main#execute}): any failure is one
 * line on stderr and an exit code; the trace only with {@code --debug}.
 */
class ErrorHandlerTest {
  @TempDir Path dir;

  /** A command that fails the way the test asks. */
  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    private final Supplier<Throwable> failure;

    Boom(Supplier<Throwable> failure) {
      this.failure = failure;
    }

    @Override
    public Integer call() throws Exception {
      Throwable t = failure.get();
      if (t instanceof Error e) {
        throw e;
      }
      throw (Exception) t;
    }
  }

  private static Result jbuild(Supplier<Throwable> failure, String... args) {
    CommandLine cli = Main.commandLine();
    cli.addSubcommand("boom", new Boom(failure));
    return InProcessCli.capture(cli, c -> Main.execute(c, args));
  }

  private static void oneLine(Result r) {
    assertEquals(1, r.err().lines().count(), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
    assertTrue(r.err().startsWith("jbuild: "), r.err());
  }

  @Test
  void stackOverflowIsOneLineAndExitOne() {
    Result r = jbuild(StackOverflowError::new, "boom");
    assertEquals(ExitCodes.FAILED, r.exit());
    oneLine(r);
    assertEquals(
        "jbuild: internal error: stack overflow (input nested too deeply)"
            + " (--debug prints the stack trace)",
        r.err().strip());
  }

  @Test
  void outOfMemoryIsOneLineAndExitOne() {
    Result r = jbuild(() -> new OutOfMemoryError("Java heap space"), "boom");
    assertEquals(ExitCodes.FAILED, r.exit());
    oneLine(r);
    assertTrue(r.err().startsWith("jbuild: out of memory (Java heap space)"), r.err());
  }

  @Test
  void debugPrintsTheTrace() {
    Result r = jbuild(StackOverflowError::new, "--debug", "boom");
    assertEquals(ExitCodes.FAILED, r.exit());
    assertTrue(r.err().contains("\tat "), r.err());
    assertTrue(r.err().contains("ErrorHandlerTest$Boom.call"), r.err());
  }

  @Test
  void aWrappedUserErrorKeepsItsExitCode() {
    Result r =
        jbuild(
            () ->
                new CompletionException(
                    new UserException(ExitCodes.NOT_FOUND, "image nope:1 not found")),
            "boom");
    assertEquals(ExitCodes.NOT_FOUND, r.exit());
    assertEquals("jbuild: image nope:1 not found\n", r.err());
  }

  @Test
  void anUnexpectedExceptionIsOneLine() {
    Result r = jbuild(() -> new IllegalStateException("bad state\nsecond line"), "boom");
    assertEquals(ExitCodes.FAILED, r.exit());
    oneLine(r);
    assertEquals("jbuild: bad state (--debug prints the stack trace)\n", r.err());
  }

  @Test
  void aDeeplyNestedDockerfileIsAnInvalidDockerfile() throws Exception {
    Path f = dir.resolve("Dockerfile");
    Files.writeString(
        f, "FROM scratch\nENV A=" + "${A:-".repeat(3000) + "x" + "}".repeat(3000) + "\n");
    Result r = jbuild(null, "parse", "-f", f.toString());
    assertEquals(ExitCodes.DOCKERFILE, r.exit());
    assertTrue(r.err().contains(":2:1: failed to process"), r.err());
    assertTrue(r.err().contains("variable expansions nested deeper than 100 levels"), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
  }

  @Test
  void invalidUtf8IsParsedAsU_FFFD() throws Exception {
    Path f = dir.resolve("Dockerfile");
    Files.write(
        f,
        "FROM scratch\nLABEL a=x\u0000y\n".replace("\u0000", "?").getBytes(StandardCharsets.UTF_8));
    byte[] bytes = Files.readAllBytes(f);
    bytes[bytes.length - 3] = (byte) 0xff; // the '?' becomes an invalid byte
    Files.write(f, bytes);
    Result r = jbuild(null, "parse", "-f", f.toString(), "--format", "json");
    assertEquals(ExitCodes.OK, r.exit(), r.err());
    assertTrue(r.out().contains("x\ufffdy"), r.out());
  }
}
