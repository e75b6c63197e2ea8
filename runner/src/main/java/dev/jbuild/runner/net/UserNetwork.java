package dev.jbuild.runner.net;

import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.sys.SyscallException;
import dev.jbuild.runner.sys.Syscalls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private network namespace with outbound access through slirp4netns, the user-mode network stack
 * rootless Podman uses: the namespace gets {@code tap0} = 10.0.2.100/24, gateway 10.0.2.2, DNS
 * forwarder 10.0.2.3; traffic leaves from the host as ordinary sockets of the slirp4netns process.
 * {@code --disable-host-loopback} makes 10.0.2.2 refuse to reach the host's 127.0.0.1, and the
 * namespace's own 127.0.0.1 is its own. slirp4netns runs sandboxed ({@code --enable-sandbox
 * --enable-seccomp}: its own mount namespace, all capabilities dropped, a syscall filter), since it
 * parses packets from the step.
 *
 * <p>Lifetime: {@link #start} creates {@code dir/netns} and starts the stack; {@link #awaitReady}
 * waits until the interface is configured; {@link #close} stops the process by pid (SIGTERM, then
 * SIGKILL) and unmounts the namespace. A stack tied to this JVM reads its exit fd from a pipe of
 * the JVM, so it also ends when jbuild is killed; a detached one ({@code jbuild run -d}) is stopped
 * by the container's monitor.
 */
public final class UserNetwork implements AutoCloseable {
  public static final String ADDRESS = "10.0.2.100";
  public static final String GATEWAY = "10.0.2.2";
  public static final String DNS = "10.0.2.3";
  public static final String NETNS = "netns";
  public static final String LOG = "slirp4netns.log";
  public static final String PID = "slirp4netns.pid";

  private static final Path BINARY = Path.of("slirp4netns");
  private static final long READY_TIMEOUT_MS = 20_000;
  private static final int SIGTERM = 15;
  private static final int SIGKILL = 9;

  private final Path dir;
  private final Process process;
  private final OutputStream exitFd;
  private boolean ready;
  private boolean closed;

  private UserNetwork(Path dir, Process process, OutputStream exitFd) {
    this.dir = dir;
    this.process = process;
    this.exitFd = exitFd;
  }

  /**
   * Creates {@code dir/netns} and starts slirp4netns on it (not yet ready: see {@link
   * #awaitReady}).
   *
   * @param detached the stack outlives this JVM (its own session, no exit fd)
   */
  public static UserNetwork start(Path dir, boolean detached) throws IOException {
    return start(dir, detached, false);
  }

  /**
   * As {@link #start(Path, boolean)}; with {@code api} slirp4netns listens on its API socket {@code
   * dir/api.sock} (for {@link SlirpApi#addHostForward}: published ports).
   */
  public static UserNetwork start(Path dir, boolean detached, boolean api) throws IOException {
    Path binary = locate();
    Path netns = dir.resolve(NETNS);
    Netns.create(netns);
    List<String> cmd = new ArrayList<>();
    if (detached) {
      cmd.add("/usr/bin/setsid");
    }
    // fd 3 = the pipe jbuild reads "1" from when the interface is configured; slirp4netns's own
    // messages go to the log
    cmd.addAll(
        List.of("/bin/sh", "-c", "exec \"$@\" 3>&1 >\"$0\" 2>&1", dir.resolve(LOG).toString()));
    cmd.addAll(
        List.of(
            binary.toString(),
            "--configure",
            "--mtu=65520",
            "--disable-host-loopback",
            "--enable-sandbox",
            "--enable-seccomp",
            "--netns-type=path",
            "--ready-fd=3"));
    if (!detached) {
      cmd.add("--exit-fd=0");
    }
    if (api) {
      // the socket of an earlier stack of this container (create, then start) is in the way
      Files.deleteIfExists(dir.resolve(SlirpApi.SOCKET));
      // relative to the process's directory: a socket path has at most 107 bytes, a store's
      // container directory may be longer
      cmd.add("--api-socket=" + SlirpApi.SOCKET);
    }
    cmd.add(netns.toString());
    cmd.add("tap0");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(dir.toFile());
    if (detached) {
      pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    }
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      Netns.remove(netns);
      throw e;
    }
    UserNetwork n = new UserNetwork(dir, p, detached ? null : p.getOutputStream());
    try {
      Files.writeString(dir.resolve(PID), Long.toString(p.pid()), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      n.close();
      throw e;
    }
    return n;
  }

  /** The network namespace file a runtime joins. */
  public Path netns() {
    return dir.resolve(NETNS);
  }

  public long pid() {
    return process.pid();
  }

  /** Whether slirp4netns still runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Waits until slirp4netns has configured the interface; a clear error when it could not. Steps
   * sharing the network may wait at once: one reads the ready byte, the others then see it.
   */
  public synchronized void awaitReady() throws IOException, InterruptedException {
    if (ready) {
      return;
    }
    InputStream in = process.getInputStream();
    Thread watchdog =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    if (!process.waitFor(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                      kill(SIGKILL);
                    }
                  } catch (InterruptedException e) {
                    // ready in time
                  }
                });
    int b;
    try {
      b = in.read();
    } finally {
      watchdog.interrupt();
    }
    if (b != '1') {
      String log = log().strip();
      close();
      throw new RunnerException(
          "cannot start the build network (slirp4netns): "
              + (log.isEmpty() ? "exited before configuring the interface" : log.replace('\n', ' '))
              + "; use --network host or --network none to run without it",
          RunnerErrors.CANNOT_CREATE);
    }
    ready = true;
  }

  /** Stops slirp4netns by pid and removes the namespace (idempotent). */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (exitFd != null) {
      try {
        exitFd.close();
      } catch (IOException e) {
        // it exited already
      }
    }
    kill(SIGTERM);
    try {
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        kill(SIGKILL);
        process.waitFor();
      }
    } catch (InterruptedException e) {
      kill(SIGKILL);
      Thread.currentThread().interrupt();
    }
    Netns.remove(netns());
    Files.deleteIfExists(dir.resolve(PID));
  }

  /**
   * Hands the stack over to someone else (a detached container's monitor): close no longer stops
   * it.
   */
  public synchronized void release() {
    closed = true;
  }

  private void kill(int signal) {
    if (!process.isAlive()) {
      return;
    }
    try {
      Syscalls.kill(process.pid(), signal);
    } catch (SyscallException e) {
      // gone meanwhile
    }
  }

  private String log() {
    try {
      String s = Files.readString(dir.resolve(LOG), StandardCharsets.UTF_8);
      return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    } catch (IOException e) {
      return "";
    }
  }

  /** slirp4netns in PATH, or a clear error naming the Debian package. */
  static Path locate() throws RunnerException {
    String path = System.getenv("PATH");
    String dirs =
        path == null || path.isEmpty()
            ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
            : path + ":/usr/bin:/bin";
    for (String d : dirs.split(":")) {
      if (d.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(d).resolve(BINARY);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new RunnerException(
        "slirp4netns not found in PATH: the default network of RUN and jbuild run needs it"
            + " (Debian package slirp4netns); or use --network host or --network none",
        RunnerErrors.CANNOT_CREATE);
  }

  /**
   * Stops what a network left in {@code dir} when its owner died (jbuild killed, a detached
   * container's monitor killed): the slirp4netns process of the pid file, only if that pid still is
   * slirp4netns on this directory's namespace, and the namespace mount.
   */
  public static void stopLeftover(Path dir) throws IOException {
    long pid = pidIn(dir);
    if (pid > 0) {
      try {
        String cmdline =
            new String(
                Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
                StandardCharsets.UTF_8);
        int end = cmdline.indexOf('\0');
        String argv0 = end < 0 ? cmdline : cmdline.substring(0, end);
        if (argv0.endsWith("slirp4netns") && cmdline.contains(dir.resolve(NETNS).toString())) {
          Syscalls.kill(pid, SIGKILL);
        }
      } catch (NoSuchFileException e) {
        // gone
      } catch (IOException e) {
        // gone meanwhile
      }
      Files.deleteIfExists(dir.resolve(PID));
    }
    Netns.remove(dir.resolve(NETNS));
  }

  /** Reads a pid file left by {@link #start}; -1 when there is none. */
  public static long pidIn(Path dir) throws IOException {
    try {
      return Long.parseLong(Files.readString(dir.resolve(PID), StandardCharsets.UTF_8).strip());
    } catch (NoSuchFileException | NumberFormatException e) {
      return -1;
    }
  }
}
