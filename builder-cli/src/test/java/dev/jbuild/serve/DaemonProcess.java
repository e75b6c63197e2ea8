package dev.jbuild.serve;

import dev.jbuild.testing.AsUser;
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
 * A {@code jbuild serve} subprocess for the daemon's integration tests: the repository's launcher
 * ({@code ./jbuild}, written by {@code mvn package}) as root, on a UNIX socket in a directory of
 * the test's with a store of the test's, its log in a file. {@link #start} returns once {@code
 * _ping} answers OK.
 *
 * <pre>{@code
 * try (DaemonProcess d = DaemonProcess.start(tmp)) {
 *   ApiClient.Response r = d.client().get("/version");
 *   DockerCli docker = new DockerCli(d, tmp);
 * }
 * }</pre>
 */
public final class DaemonProcess implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Process process;
  private final Path socket;
  private final Path store;
  private final Path log;

  private DaemonProcess(Process process, Path socket, Path store, Path log) {
    this.process = process;
    this.socket = socket;
    this.store = store;
    this.log = log;
  }

  /** A daemon on {@code dir/jbuild.sock} with the store {@code dir/store}. */
  public static DaemonProcess start(Path dir) throws IOException {
    return start(dir.resolve("store"), dir.resolve("jbuild.sock"), dir.resolve("daemon.log"));
  }

  /** A daemon on {@code socket} with {@code store}, appending its log to {@code log}. */
  public static DaemonProcess start(Path store, Path socket, Path log, String... extraArgs)
      throws IOException {
    Process p = launch(store, log, serveArgs(socket, extraArgs));
    DaemonProcess d = new DaemonProcess(p, socket, store, log);
    d.awaitPing();
    return d;
  }

  private static List<String> serveArgs(Path socket, String... extraArgs) {
    List<String> args = new ArrayList<>(List.of("serve", "-H", "unix://" + socket));
    args.addAll(List.of(extraArgs));
    return args;
  }

  /**
   * {@code jbuild --root STORE ARGS} started and left running, its stdout and stderr appended to
   * {@code log} (for a daemon that must fail to start, or one on TCP only).
   */
  public static Process launch(Path store, Path log, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(AsUser.launcher().toString());
    cmd.add("--root");
    cmd.add(store.toString());
    cmd.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.remove("DOCKER_HOST");
    env.remove("JBUILD_ROOT");
    env.remove("JBUILD_HOST");
    return pb.start();
  }

  private void awaitPing() throws IOException {
    long end = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new IOException(
            "jbuild serve exited with " + process.exitValue() + " before answering:\n" + log());
      }
      if (Files.exists(socket)) {
        try {
          ApiClient.Response r = client().get("/_ping");
          if (r.status() == 200 && r.text().equals("OK")) {
            return;
          }
        } catch (IOException e) {
          // not listening yet
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    kill();
    throw new IOException(
        "jbuild serve did not answer _ping within " + START_TIMEOUT + ":\n" + log());
  }

  public ApiClient client() {
    return new ApiClient(socket);
  }

  public long pid() {
    return process.pid();
  }

  public Process process() {
    return process;
  }

  public Path socket() {
    return socket;
  }

  /** {@code unix:///...}: DOCKER_HOST for clients. */
  public String host() {
    return "unix://" + socket;
  }

  public Path store() {
    return store;
  }

  /** What the daemon logged so far. */
  public String log() throws IOException {
    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
  }

  /**
   * The log once it holds {@code line} (the daemon logs a request after answering it, so a client
   * that has its answer may look before the line is written), or as it is after 20 s.
   */
  public String awaitLog(String line) throws IOException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String text = log();
    while (!text.contains(line) && System.nanoTime() < end) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      text = log();
    }
    return text;
  }

  /** SIGKILL, as a crash: nothing of the daemon runs after it. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM and the exit code (-1 when it did not stop within a minute: then killed). */
  public int stop() {
    process.destroy();
    try {
      if (process.waitFor(60, TimeUnit.SECONDS)) {
        return process.exitValue();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    kill();
    return -1;
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop();
    }
  }
}
