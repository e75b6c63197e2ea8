package dev.jbuild.runner.runc;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonString;
import dev.jbuild.runner.OutputSink;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An OCI runtime binary (runc by default) with jbuild's own state root, so that listing and
 * sweeping only ever touch jbuild's containers. The runtime logs its own errors (JSON) to {@code
 * runtime.log} in the bundle, which tells a runtime failure apart from a command that exited
 * non-zero.
 */
public final class OciRuntime {
  public static final String LOG_FILE = "runtime.log";
  private static final Path DEV_NULL = Path.of("/dev/null");
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  private final Path binary;
  private final Path stateRoot;

  private OciRuntime(Path binary, Path stateRoot) {
    this.binary = binary;
    this.stateRoot = stateRoot;
  }

  /**
   * The runtime at {@code binary} (a path, or a name looked up in PATH) keeping its state under
   * {@code stateRoot}.
   */
  public static OciRuntime of(Path binary, Path stateRoot) throws RunnerException {
    return new OciRuntime(locate(binary), stateRoot);
  }

  public Path binary() {
    return binary;
  }

  public Path stateRoot() {
    return stateRoot;
  }

  /**
   * Starts {@code runtime run --bundle B ID} (foreground: the runtime exits with the container).
   */
  public RuntimeProcess run(String id, Path bundle, RuntimeIo io) throws IOException {
    return start(runCommand(id, bundle), io);
  }

  /**
   * Starts {@code runtime exec [--tty] [--detach] ... ID ARGV} for a running container, the
   * runtime's own errors logged (JSON) to {@code log}; {@code options} are exec's flags.
   */
  public RuntimeProcess exec(
      String id, Path log, List<String> options, List<String> argv, RuntimeIo io)
      throws IOException {
    return start(execCommand(id, log, options, argv), io);
  }

  /** The command line of {@link #exec} (for a container's monitor to run for {@code exec -d}). */
  public List<String> execCommand(String id, Path log, List<String> options, List<String> argv) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "--root",
                stateRoot.toString(),
                "--log",
                log.toString(),
                "--log-format",
                "json",
                "exec"));
    cmd.addAll(options);
    cmd.add(id);
    cmd.addAll(argv);
    return cmd;
  }

  private RuntimeProcess start(List<String> command, RuntimeIo io) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (io.newSession()) {
      cmd.add(SETSID.toString());
    }
    cmd.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    switch (io.output()) {
      case RuntimeIo.Output.Inherit i -> pb.inheritIO();
      case RuntimeIo.Output.LogFile f -> {
        File file = f.file().toFile();
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(file));
        pb.redirectErrorStream(true);
      }
      default -> {}
    }
    pb.redirectInput(
        io.stdin() == RuntimeIo.Stdin.INHERIT
            ? ProcessBuilder.Redirect.INHERIT
            : ProcessBuilder.Redirect.from(DEV_NULL.toFile()));
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw RunnerErrors.runtimeNotFound(binary);
    }
    List<Thread> drains = new ArrayList<>();
    switch (io.output()) {
      case RuntimeIo.Output.Lines l -> {
        drains.add(drain(new LineReader(p.getInputStream(), OutputSink.Stream.STDOUT, l.sink())));
        drains.add(drain(new LineReader(p.getErrorStream(), OutputSink.Stream.STDERR, l.sink())));
      }
      case RuntimeIo.Output.Streams s -> {
        drains.add(drain(new StreamCopier(p.getInputStream(), s.out(), false)));
        drains.add(drain(new StreamCopier(p.getErrorStream(), s.err(), true)));
      }
      default -> {}
    }
    return new RuntimeProcess(p, drains);
  }

  /** The command line of {@code runtime run} for a bundle (for a monitor process to execute). */
  public List<String> runCommand(String id, Path bundle) {
    List<String> cmd = new ArrayList<>(base(bundle));
    cmd.addAll(List.of("run", "--bundle", bundle.toString(), "--no-new-keyring", id));
    return cmd;
  }

  /**
   * The error the runtime logged for the run in {@code bundle}, if any; the message without the
   * runtime's "runc run failed: " prefix.
   */
  public Optional<String> loggedError(Path bundle) throws IOException {
    return loggedErrorIn(bundle.resolve(LOG_FILE));
  }

  /** The last error the runtime logged to {@code file} (JSON lines), if any. */
  public Optional<String> loggedErrorIn(Path file) throws IOException {
    String log;
    try {
      log = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    String last = null;
    for (String line : log.split("\n")) {
      // one JSON object per line ({"level":"error","msg":"...","time":"..."}); anything else is
      // not the runtime's structured log and is skipped
      JsonObject entry;
      try {
        entry = Json.parseObject(line);
      } catch (IllegalArgumentException e) {
        continue;
      }
      if (entry.get("level") instanceof JsonString level
          && (level.value().equals("error") || level.value().equals("fatal"))
          && entry.get("msg") instanceof JsonString msg) {
        last = msg.value();
      }
    }
    if (last == null) {
      return Optional.empty();
    }
    return Optional.of(RuntimeMessages.withoutPrefix(last));
  }

  /**
   * Turns a logged runtime error into the exception to report: exec failures keep Docker's 126/127
   * exit statuses; anything else means this runtime cannot run the container here.
   */
  public RunnerException failure(String message) {
    if (message.contains("executable file not found") || message.contains("no such file")) {
      if (message.contains("exec:") || message.contains("exec ")) {
        return RunnerErrors.startFailed(binary, message, RunnerErrors.NOT_FOUND);
      }
    }
    if (message.contains("exec:") && message.contains("permission denied")) {
      return RunnerErrors.startFailed(binary, message, RunnerErrors.CANNOT_EXECUTE);
    }
    return RunnerErrors.runtimeFailed(binary, message);
  }

  /** {@code runtime kill ID SIGNAL}; false when the container is gone already. */
  public boolean kill(String id, String signal) throws IOException {
    return exec(List.of("kill", id, signal)).exitCode() == 0;
  }

  /** {@code runtime delete --force ID}; false when there was no such container. */
  public boolean delete(String id) throws IOException {
    return exec(List.of("delete", "--force", id)).exitCode() == 0;
  }

  /** The ids of all containers in this state root. */
  public List<String> list() throws IOException {
    if (!Files.isDirectory(stateRoot)) {
      return List.of();
    }
    Result r = exec(List.of("list", "--quiet"));
    if (r.exitCode() != 0) {
      throw new IOException(binary + " list failed: " + r.output().strip());
    }
    return r.output().lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  /** The host pid of the container's first process; -1 when it has none. */
  public long pid(String id) throws IOException {
    Optional<JsonObject> s = state(id);
    Long pid = s.isEmpty() ? null : s.get().longValue("pid");
    return pid == null ? -1 : pid;
  }

  /** The container's status ("created", "running", "paused", "stopped"), empty when unknown. */
  public Optional<String> status(String id) throws IOException {
    return state(id)
        .flatMap(
            o -> Optional.ofNullable(o.get("status") instanceof JsonString s ? s.value() : null));
  }

  /** {@code runtime state ID}, empty when unknown. */
  public Optional<JsonObject> state(String id) throws IOException {
    Result r = exec(List.of("state", id));
    if (r.exitCode() != 0) {
      return Optional.empty();
    }
    // the state document, without anything the runtime wrote to stderr around it
    String out = r.output();
    int begin = out.indexOf('{');
    int end = out.lastIndexOf('}');
    if (begin < 0 || end < begin) {
      return Optional.empty();
    }
    try {
      return Optional.of(Json.parseObject(out.substring(begin, end + 1)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** A runtime command's exit status and its output (stdout and stderr together). */
  public record Result(int exitCode, String output) {}

  /** {@code runtime --root STATE ARGS...}, to its end. */
  public Result run(List<String> args) throws IOException {
    return exec(args);
  }

  private Result exec(List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--root", stateRoot.toString()));
    cmd.addAll(args);
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(DEV_NULL.toFile()))
            .start();
    try (InputStream in = p.getInputStream()) {
      String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new Result(p.waitFor(), out);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException(binary + " " + args.getFirst() + " interrupted", e);
    }
  }

  private List<String> base(Path bundle) {
    return List.of(
        binary.toString(),
        "--root",
        stateRoot.toString(),
        "--log",
        bundle.resolve(LOG_FILE).toString(),
        "--log-format",
        "json");
  }

  private static Thread drain(Runnable r) {
    return Thread.ofVirtual().name("runtime-output").start(r);
  }

  private static Path locate(Path binary) throws RunnerException {
    if (binary.isAbsolute() || binary.getNameCount() > 1) {
      if (Files.isRegularFile(binary) && Files.isExecutable(binary)) {
        return binary.toAbsolutePath();
      }
      throw RunnerErrors.runtimeNotFound(binary);
    }
    String path = System.getenv("PATH");
    String dirs =
        path == null || path.isEmpty()
            ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
            : path;
    for (String dir : dirs.split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir).resolve(binary);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw RunnerErrors.runtimeNotFound(binary);
  }
}
