package dev.jbuild.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Debian's docker CLI ({@code /usr/bin/docker}) pointed at a test daemon: {@code DOCKER_HOST} the
 * daemon's socket (never the machine's dockerd), {@code DOCKER_BUILDKIT=0}, and a HOME and
 * DOCKER_CONFIG of the test's own.
 */
public final class DockerCli {
  public static final Path DOCKER = Path.of("/usr/bin/docker");

  private final String host;
  private final Path home;
  private final Map<String, String> extraEnv;

  /** The result of one docker command. */
  public record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  public DockerCli(DaemonProcess daemon, Path dir) throws IOException {
    this(daemon.host(), dir, Map.of());
  }

  public DockerCli(String host, Path dir, Map<String, String> extraEnv) throws IOException {
    this.host = host;
    this.home = Files.createDirectories(dir.resolve("docker-home"));
    this.extraEnv = extraEnv;
  }

  public Result run(String... args) throws IOException {
    return run(null, Duration.ofMinutes(5), args);
  }

  /**
   * {@code command} (a shell command line that runs docker) under util-linux {@code script}, which
   * gives it a pseudo-terminal as docker's {@code -t} needs; {@code input} (null: none) is written
   * to script's standard input, which it types into that terminal. That input stays open until the
   * command ended, as a user's terminal does (at its end script would type the terminal's EOF
   * character, a NUL in the docker CLI's raw mode, which the container's pty echoes as "^@").
   */
  public Result script(String command, String input, Duration timeout) throws IOException {
    return exec(
        List.of("/usr/bin/script", "-qec", command, "/dev/null"),
        input == null ? "" : input,
        null,
        timeout,
        command);
  }

  /**
   * {@code docker ARGS} in {@code dir} started and left running (for a test that kills it), its
   * output to files in the home.
   */
  public Process start(Path dir, String... args) throws IOException {
    return startTo(dir, Files.createTempFile(home, "out-", ".txt"), args);
  }

  /** As {@link #start}, its stdout (and stderr) to {@code out}. */
  public Process startTo(Path dir, Path out, String... args) throws IOException {
    ProcessBuilder pb = builder(docker(args), dir);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.redirectOutput(out.toFile());
    pb.redirectErrorStream(true);
    return pb.start();
  }

  /** {@code docker ARGS} in {@code dir} (null: the home) within {@code timeout}. */
  public Result run(Path dir, Duration timeout, String... args) throws IOException {
    return exec(docker(args), null, dir, timeout, "docker " + String.join(" ", args));
  }

  private static List<String> docker(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(DOCKER.toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** A process in {@code dir} (null: the home) with the client's environment only. */
  private ProcessBuilder builder(List<String> cmd, Path dir) {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory((dir == null ? home : dir).toFile());
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
    env.put("HOME", home.toString());
    env.put("DOCKER_CONFIG", home.resolve(".docker").toString());
    env.put("DOCKER_HOST", host);
    env.put("DOCKER_BUILDKIT", "0");
    env.put("DOCKER_CLI_HINTS", "false");
    env.putAll(extraEnv);
    return pb;
  }

  /** {@code input} null: /dev/null; else written to a pipe left open until the process ends. */
  private Result exec(List<String> cmd, String input, Path dir, Duration timeout, String what)
      throws IOException {
    ProcessBuilder pb = builder(cmd, dir);
    Path out = Files.createTempFile(home, "out-", ".txt");
    Path err = Files.createTempFile(home, "err-", ".txt");
    pb.redirectInput(
        input == null
            ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
            : ProcessBuilder.Redirect.PIPE);
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    try (java.io.OutputStream stdin = p.getOutputStream()) {
      if (input != null) {
        stdin.write(input.getBytes(StandardCharsets.UTF_8));
        stdin.flush();
      }
      int exit;
      if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        exit = p.exitValue();
      } else {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        exit = -1;
      }
      return new Result(
          exit,
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + what, e);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
