package dev.jbuild.runner.container;

import dev.jbuild.layercache.store.AtomicFiles;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.exec.Sandbox;
import dev.jbuild.runner.runc.OciRuntime;
import dev.jbuild.runner.workspace.ProcessIdentity;
import dev.jbuild.runner.workspace.RunDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code start}, {@code stop}, {@code kill}, {@code restart}, {@code wait}, {@code pause}, {@code
 * rename} and {@code container prune} of {@link Containers}, with Docker's rules.
 */
final class Lifecycle {
  private final Containers all;
  private final Store store;
  private final Path dir;
  private final OciRuntime runtime;

  Lifecycle(Containers all, Store store, Path dir, OciRuntime runtime) {
    this.all = all;
    this.store = store;
    this.dir = dir;
    this.runtime = runtime;
  }

  /**
   * Starts a created or stopped container under a new monitor; false when it runs already. Its root
   * filesystem is mounted again over its own upper directory, its network started again.
   */
  boolean start(String ref) throws IOException, InterruptedException {
    ContainerState s = all.find(ref);
    if (s.isRunning()) {
      return false;
    }
    ContainerRecord rec = s.record();
    if (rec.autoRemove() && s.status() != ContainerState.Status.CREATED) {
      throw new RunnerException(
          "container " + ref + " was started with --rm and is being removed",
          RunnerErrors.CANNOT_CREATE);
    }
    Path cdir = dir.resolve(rec.id());
    // a monitor that recorded the exit may still be releasing the network and the mounts
    for (int i = 0; i < 400 && RunDir.ownerAlive(cdir); i++) {
      Thread.sleep(25);
    }
    RunDir rd = new RunDir(rec.id(), cdir);
    rd.setOwner(ProcessIdentity.self()); // running from here on: no sweep touches it
    for (String f : List.of(Containers.EXIT_CODE, ContainerMonitor.STOPPED, Containers.PAUSED)) {
      Files.deleteIfExists(cdir.resolve(f));
    }
    HostConfig hc = Containers.hostConfig(cdir);
    Sandbox sb = null;
    Process monitor;
    // a copy from the stopped container (jbuild cp) mounts the same upper directory meanwhile
    try (var _ = ContainerRoot.lock(cdir)) {
      sb = Sandbox.reopen(rd, runtime, store.layers().unpacked(rec.layers()).reversed());
      WiringRecord w = WiringRecord.read(cdir);
      if (hc.networkMode().equals("default")) {
        sb.startNetwork(!w.ports().isEmpty());
        all.rewire(rec.id(), cdir, w);
      }
      RunState.started(Instant.now(), 0).write(cdir);
      monitor = all.spawnMonitor(rec);
    } catch (IOException | RuntimeException | Error e) {
      if (sb != null) {
        sb.close();
      }
      RunState.started(Instant.now(), 0).write(cdir);
      AtomicFiles.write(
          cdir.resolve(Containers.EXIT_CODE), "128\n".getBytes(StandardCharsets.US_ASCII));
      throw e;
    }
    sb.release();
    all.awaitStarted(rec.id(), monitor);
    return true;
  }

  /**
   * Stops it: {@code signal} (null: its stop signal), then SIGKILL after {@code timeout} (null: its
   * --stop-timeout, else 10 s); false when it was not running.
   */
  boolean stop(String ref, Duration timeout, String signal)
      throws IOException, InterruptedException {
    ContainerState s = all.find(ref);
    if (!s.isRunning()) {
      return false;
    }
    String id = s.record().id();
    int sig = signal == null ? stopSignal(s.record()) : signalNumber(signal);
    markStopped(id);
    if (s.status() != ContainerState.Status.RESTARTING) {
      runtime.kill(id, Integer.toString(sig));
      thaw(id);
    }
    if (!all.awaitExit(id, timeout == null ? s.record().stopGrace() : timeout)) {
      runtime.kill(id, "KILL");
      thaw(id);
      all.awaitExit(id, Duration.ofSeconds(10));
    }
    return true;
  }

  /**
   * Sends {@code signal} (a name with or without SIG, or a number) to its main process. The stop
   * signal and SIGKILL end the restart policy until the next start, as in Docker.
   */
  void kill(String ref, String signal) throws IOException {
    ContainerState s = all.find(ref);
    if (!s.isRunning() || s.status() == ContainerState.Status.RESTARTING) {
      throw notRunning(s.record().id(), "cannot kill container " + ref);
    }
    int sig = signalNumber(signal);
    if (sig == 9 || sig == stopSignal(s.record())) {
      markStopped(s.record().id());
    }
    if (!runtime.kill(s.record().id(), Integer.toString(sig))) {
      throw new RunnerException(
          "cannot kill container " + ref + ": the runtime refused signal " + signal,
          RunnerErrors.CANNOT_CREATE);
    }
  }

  /** SIGKILL for {@code rm -f}: no restart, thawed, waited for. */
  void killForRemoval(String id) throws IOException, InterruptedException {
    markStopped(id);
    runtime.kill(id, "KILL");
    thaw(id);
    all.awaitExit(id, Duration.ofSeconds(10));
  }

  /** Stop (if running), then start. */
  void restart(String ref, Duration timeout, String signal)
      throws IOException, InterruptedException {
    stop(ref, timeout, signal);
    String id = all.find(ref).record().id();
    all.awaitExit(id, Duration.ofSeconds(30));
    start(id);
  }

  /** Blocks until it stops; its exit code. */
  int await(String ref) throws IOException, InterruptedException {
    ContainerState s = all.find(ref);
    String id = s.record().id();
    while (true) {
      ContainerState now = all.stateOf(id);
      if (now == null) {
        return s.exitCode(); // removed (--rm) meanwhile
      }
      if (now.status() == ContainerState.Status.EXITED) {
        return now.exitCode();
      }
      if (now.status() == ContainerState.Status.DEAD) {
        return 137;
      }
      s = now;
      Thread.sleep(50);
    }
  }

  /** {@code runc pause} (the cgroup freezer); needs the container's own cgroup. */
  void pause(String ref, boolean pause) throws IOException {
    ContainerState s = all.find(ref);
    String id = s.record().id();
    if (pause) {
      if (s.status() == ContainerState.Status.PAUSED) {
        throw new RunnerException(
            "container " + id + " is already paused", RunnerErrors.CANNOT_CREATE);
      }
      if (s.status() != ContainerState.Status.RUNNING) {
        throw notRunning(id, "cannot pause container " + ref);
      }
    } else if (s.status() != ContainerState.Status.PAUSED) {
      throw new RunnerException("container " + id + " is not paused", RunnerErrors.CANNOT_CREATE);
    }
    OciRuntime.Result r = runtime.run(List.of(pause ? "pause" : "resume", id));
    if (r.exitCode() != 0) {
      throw new RunnerException(
          "cannot "
              + (pause ? "pause" : "unpause")
              + " container "
              + ref
              + ": "
              + runtimeMessage(r.output())
              + (dev.jbuild.layercache.fs.UserNamespace.current().isInitial()
                  ? ""
                  : " (rootless: the container has no cgroup of its own to freeze)"),
          RunnerErrors.CANNOT_CREATE);
    }
    Path marker = dir.resolve(id).resolve(Containers.PAUSED);
    if (pause) {
      Files.writeString(marker, "");
    } else {
      Files.deleteIfExists(marker);
    }
  }

  /** Gives it another name (the new one reserved first, so two renames cannot take one name). */
  void rename(String ref, String newName) throws IOException {
    ContainerState s = all.find(ref);
    if (!Names.valid(newName)) {
      throw new RunnerException(
          "invalid container name \"" + newName + "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] allowed",
          RunnerErrors.CANNOT_CREATE);
    }
    ContainerRecord old = s.record();
    if (old.name().equals(newName)) {
      throw new RunnerException(
          "renaming a container with the same name as its current name",
          RunnerErrors.CANNOT_CREATE);
    }
    Path names = dir.resolve(Containers.NAMES);
    try {
      Files.writeString(
          names.resolve(newName),
          old.id(),
          StandardCharsets.US_ASCII,
          StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
    } catch (FileAlreadyExistsException e) {
      throw new RunnerException(
          "the container name \"" + newName + "\" is already in use", RunnerErrors.CANNOT_CREATE);
    }
    ContainerRecord renamed = old.withName(newName);
    AtomicFiles.write(dir.resolve(old.id()).resolve(Containers.RECORD), renamed.toJson().toBytes());
    Files.deleteIfExists(names.resolve(old.name()));
  }

  /** Removes every container that does not run; their ids. */
  List<String> prune() throws IOException, InterruptedException {
    List<String> removed = new ArrayList<>();
    for (ContainerState s : all.list()) {
      if (!s.isRunning()) {
        try {
          all.remove(s.record().id(), false);
          removed.add(s.record().id());
        } catch (RunnerException e) {
          // started meanwhile
        }
      }
    }
    return removed;
  }

  private void markStopped(String id) throws IOException {
    Path cdir = dir.resolve(id);
    if (Files.isDirectory(cdir)) {
      Files.writeString(cdir.resolve(ContainerMonitor.STOPPED), "");
    }
  }

  /** A frozen container receives its signal only once thawed (Docker unpauses on stop too). */
  private void thaw(String id) throws IOException {
    Path marker = dir.resolve(id).resolve(Containers.PAUSED);
    if (Files.exists(marker)) {
      runtime.run(List.of("resume", id));
      Files.deleteIfExists(marker);
    }
  }

  /** Its stop signal's number; SIGTERM when the image's is no signal (as moby's StopSignal). */
  private static int stopSignal(ContainerRecord r) {
    try {
      return Signals.number(r.stopSignal());
    } catch (IllegalArgumentException e) {
      return 15;
    }
  }

  /** A signal's number (Docker's names and numbers, see {@link Signals}). */
  static int signalNumber(String signal) throws RunnerException {
    try {
      return Signals.number(signal);
    } catch (IllegalArgumentException e) {
      throw new RunnerException(e.getMessage(), RunnerErrors.CANNOT_CREATE);
    }
  }

  private static RunnerException notRunning(String id, String what) {
    return new RunnerException(
        what + ": container " + id + " is not running", RunnerErrors.CANNOT_CREATE);
  }

  private static String runtimeMessage(String output) {
    String last = output.strip();
    int nl = last.lastIndexOf('\n');
    return nl < 0 ? last : last.substring(nl + 1);
  }
}
