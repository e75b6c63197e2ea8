package dev.jbuild.runner.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbuild.layercache.model.ContainerConfig;
import dev.jbuild.runner.RunnerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageRunsTest {
  @TempDir Path tmp;

  static final ContainerConfig IMAGE =
      ContainerConfig.EMPTY
          .withEntrypoint(List.of("/entry", "-x"))
          .withCmd(List.of("serve", "--port", "80"))
          .withEnv(List.of("PATH=/bin", "A=image", "B=image"));

  static RunOptions opts(List<String> command, String entrypoint) {
    RunOptions o = RunOptions.of(command);
    return new RunOptions(
        o.command(),
        entrypoint,
        o.env(),
        o.envFiles(),
        null,
        null,
        null,
        o.network(),
        List.of(),
        false,
        false,
        null,
        false,
        false,
        null,
        null);
  }

  static RunOptions envOpts(List<String> env, List<Path> files, boolean tty) {
    return new RunOptions(
        List.of(), null, env, files, null, null, null, null, List.of(), tty, false, null, false,
        false, null, null);
  }

  @Test
  void argvFollowsDocker() throws Exception {
    assertEquals(
        List.of("/entry", "-x", "serve", "--port", "80"),
        ImageRuns.argv(IMAGE, opts(List.of(), null)));
    assertEquals(
        List.of("/entry", "-x", "check"), ImageRuns.argv(IMAGE, opts(List.of("check"), null)));
    // --entrypoint drops the image's Cmd
    assertEquals(List.of("/bin/sh"), ImageRuns.argv(IMAGE, opts(List.of(), "/bin/sh")));
    assertEquals(
        List.of("/bin/sh", "-c", "id"),
        ImageRuns.argv(IMAGE, opts(List.of("-c", "id"), "/bin/sh")));
    assertEquals(List.of("ls"), ImageRuns.argv(IMAGE, opts(List.of("ls"), "")));
    assertThrows(
        RunnerException.class, () -> ImageRuns.argv(ContainerConfig.EMPTY, opts(List.of(), null)));
  }

  @Test
  void envLayersHostnameImageFilesAndFlags() throws Exception {
    Path file = Files.writeString(tmp.resolve("env"), "# c\n\nB=file\nC=file with spaces\nH\n");
    assertEquals(
        List.of(
            "HOSTNAME=abc",
            "PATH=/bin",
            "A=image",
            "B=file",
            "C=flag",
            "H=from host",
            "D=host d",
            "TERM=xterm"),
        ImageRuns.env(
            IMAGE,
            envOpts(List.of("C=flag", "D", "E"), List.of(file), true),
            "abc",
            Map.of("D", "host d", "H", "from host")));
  }

  @Test
  void badEnvFilesAreErrors() throws Exception {
    Path file = Files.writeString(tmp.resolve("env"), "=oops\n");
    RunnerException e =
        assertThrows(
            RunnerException.class,
            () -> ImageRuns.env(IMAGE, envOpts(List.of(), List.of(file), false), "h", Map.of()));
    assertEquals("env file " + file + ": invalid line '=oops' (no variable name)", e.getMessage());
    Path missing = tmp.resolve("missing");
    e =
        assertThrows(
            RunnerException.class,
            () -> ImageRuns.env(IMAGE, envOpts(List.of(), List.of(missing), false), "h", Map.of()));
    assertEquals("env file " + missing + " not found", e.getMessage());
  }
}
