package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.store.AtomicFiles;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.Trees;
import dev.jbuild.runner.net.UserNetwork;
import dev.jbuild.runner.runc.OciRuntime;
import dev.jbuild.runner.sys.MountTable;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The process that watches one started container (a small JVM of its own, in its own session, that
 * outlives the jbuild command that started it; the container's {@code owner}). It runs {@code runc
 * run} in the foreground, writes the container's stdout and stderr to its json-file log, runs its
 * healthcheck, applies its restart policy, and when the container stops for good records the exit
 * code, stops its network, unmounts its root filesystem and, with {@code --rm}, removes it. If it
 * is killed, the next jbuild command finds the owner gone and cleans up the same way ({@link
 * Containers#sweep}).
 *
 * <p>Arguments: the container directory, the runtime binary, the runtime's state root, the gcroot
 * file and the name file (removed with {@code --rm}).
 */
public final class ContainerMonitor {
  /** Written by {@code stop} and {@code kill}: the restart policy does not apply. */
  static final String STOPPED = "stopped";

  /** Why the monitor itself failed, for {@code jbuild start} to report. */
  static final String ERROR = "monitor.error";

  private static final long MAX_BACKOFF_MS = 60_000;

  private ContainerMonitor() {}

  public static void main(String[] args) {
    Path cdir = Path.of(args[0]);
    try {
      run(cdir, Path.of(args[1]), Path.of(args[2]), Path.of(args[3]), Path.of(args[4]));
      System.exit(0);
    } catch (Throwable t) {
      try {
        Files.writeString(cdir.resolve(ERROR), String.valueOf(t.getMessage()) + "\n");
      } catch (IOException | RuntimeException e) {
        // nothing left to tell
      }
      System.exit(1);
    }
  }

  static void run(Path cdir, Path binary, Path stateRoot, Path gcRoot, Path nameFile)
      throws IOException, InterruptedException {
    ContainerRecord rec =
        ContainerRecord.fromJson(
            Json.parseObject(Files.readAllBytes(cdir.resolve(Containers.RECORD))));
    HostConfig hc = Containers.hostConfig(cdir);
    String id = rec.id();
    OciRuntime rt = OciRuntime.of(binary, stateRoot);
    RunState state = RunState.read(cdir).orElse(RunState.started(Instant.now(), 0));
    ExecRequests.serve(cdir, id, rt); // exec -d runs from here, and its orphans are reaped here
    int rc;
    long backoff = 100;
    try (JsonFileLog log = new JsonFileLog(JsonFileLog.file(cdir, id), hc.log());
        java.io.Closeable _ = dns(cdir);
        TtyConsole console = TtyConsole.serveIfTty(cdir)) {
      while (true) {
        if (Files.exists(stateRoot.resolve(id))) {
          rt.delete(id);
        }
        Instant started = Instant.now();
        Process p;
        List<Thread> copiers = new ArrayList<>();
        if (console != null) {
          p = console.start(rt.runCommand(id, cdir), log);
        } else {
          p =
              new ProcessBuilder(rt.runCommand(id, cdir))
                  .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                  .start();
          copiers.add(copier(log, p.getInputStream(), "stdout"));
          copiers.add(copier(log, p.getErrorStream(), "stderr"));
        }
        HealthMonitor health = HealthMonitor.start(cdir, rec, rt);
        try {
          rc = p.waitFor();
        } finally {
          health.close();
        }
        for (Thread t : copiers) {
          t.join(2000);
        }
        if (console != null) {
          console.finished();
        }
        Optional<String> error = rc == 0 ? Optional.empty() : rt.loggedError(cdir);
        if (error.isPresent()) {
          RunnerException failure = rt.failure(error.get());
          rc = failure.exitCode();
          Files.writeString(cdir.resolve(ERROR), failure.getMessage() + "\n");
          break;
        }
        if (!hc.restart().restarts(rc, state.restartCount(), stopped(cdir))) {
          break;
        }
        Instant now = Instant.now();
        if (Duration.between(started, now).toSeconds() >= 10) {
          backoff = 100; // it ran a while: start again quickly, as Docker resets its delay
        }
        state = state.withRestarting(rc, now);
        state.write(cdir);
        if (!sleepUnlessStopped(cdir, backoff)) {
          break;
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        state = RunState.started(Instant.now(), state.restartCount() + 1);
        state.write(cdir);
      }
    }
    finish(cdir, rec, rt, gcRoot, nameFile, rc);
  }

  /** Records the exit, releases what the container held, removes it with --rm. */
  static void finish(
      Path cdir, ContainerRecord rec, OciRuntime rt, Path gcRoot, Path nameFile, int rc)
      throws IOException {
    if (Files.exists(rt.stateRoot().resolve(rec.id()))) {
      rt.delete(rec.id());
    }
    // exited from here on (ps, wait, the other containers' DNS): its processes are gone; the
    // clean-up below may take seconds (a network stack that ignores SIGTERM), and start and rm
    // wait for this process to end before they touch the directory
    Optional<RunState> s = RunState.read(cdir);
    if (s.isPresent()) {
      RunState r = s.get();
      new RunState(r.startedAt(), r.restartCount(), false, rc, Instant.now(), "", 0, r.healthLog())
          .write(cdir);
    }
    AtomicFiles.write(
        cdir.resolve(Containers.EXIT_CODE), (rc + "\n").getBytes(StandardCharsets.US_ASCII));
    UserNetwork.stopLeftover(cdir);
    MountTable.unmountAll(cdir);
    if (rec.autoRemove()) {
      Trees.delete(cdir);
      Files.deleteIfExists(gcRoot);
      Files.deleteIfExists(nameFile);
    }
  }

  /**
   * The container's embedded DNS server (user networks), served from this process for as long as
   * the container runs; a server that cannot start leaves the container without names (the reason
   * in {@code dns.error}) rather than not started.
   */
  static java.io.Closeable dns(Path cdir) {
    try {
      dev.jbuild.runner.net.DnsServer s = EmbeddedDns.startIfConfigured(cdir);
      return s == null ? () -> {} : s;
    } catch (IOException | RuntimeException e) {
      try {
        Files.writeString(cdir.resolve("dns.error"), String.valueOf(e.getMessage()) + "\n");
      } catch (IOException ignored) {
        // nothing to tell it with
      }
      return () -> {};
    }
  }

  static boolean stopped(Path cdir) {
    return Files.exists(cdir.resolve(STOPPED));
  }

  private static boolean sleepUnlessStopped(Path cdir, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < deadline) {
      if (stopped(cdir)) {
        return false;
      }
      Thread.sleep(Math.min(50, Math.max(1, deadline - System.currentTimeMillis())));
    }
    return !stopped(cdir);
  }

  private static Thread copier(JsonFileLog log, InputStream in, String stream) {
    return Thread.ofPlatform()
        .daemon()
        .name("log-" + stream)
        .start(
            () -> {
              try (in) {
                log.copy(in, stream);
              } catch (IOException e) {
                // the runtime is gone
              }
            });
  }
}
