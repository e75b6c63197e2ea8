package dev.jbuild.runner.container;

import dev.jbuild.layercache.fs.UserNamespace;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.runc.OciRuntime;
import dev.jbuild.runner.runc.RuntimeIo;
import dev.jbuild.runner.runc.RuntimeProcess;
import dev.jbuild.runner.user.ResolvedUser;
import dev.jbuild.runner.user.UserResolver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code jbuild exec}: another process in a running container ({@code runc exec}: the container's
 * namespaces, cgroup, capabilities and seccomp filter), with Docker's options. Its user is resolved
 * against the container's own /etc/passwd and /etc/group (through its mounted root filesystem,
 * never following a path on the host).
 */
final class Execs {
  private Execs() {}

  static int exec(
      Containers all,
      Path cdir,
      OciRuntime rt,
      ContainerState s,
      ExecOptions o,
      Attach attach,
      Pty terminal)
      throws IOException, InterruptedException {
    String id = s.record().id();
    if (s.status() == ContainerState.Status.PAUSED) {
      throw new RunnerException(
          "container " + id + " is paused, unpause the container before exec",
          RunnerErrors.CANNOT_CREATE);
    }
    if (s.status() != ContainerState.Status.RUNNING) {
      throw new RunnerException("container " + id + " is not running", RunnerErrors.CANNOT_CREATE);
    }
    if (o.argv().isEmpty()) {
      throw new RunnerException("no command to execute", RunnerErrors.CANNOT_CREATE);
    }
    List<String> flags = new ArrayList<>();
    if (o.user() != null && !o.user().isEmpty()) {
      ResolvedUser u = UserResolver.resolve(cdir.resolve("rootfs"), o.user());
      UserNamespace ns = UserNamespace.current();
      if (!ns.isInitial() && (!ns.mapsUid(u.uid()) || !ns.mapsGid(u.gid()))) {
        throw new RunnerException(
            ns.unmapped("uid", u.uid(), "exec -u " + o.user()).getMessage(),
            RunnerErrors.CANNOT_CREATE);
      }
      flags.addAll(List.of("--user", u.uid() + ":" + u.gid()));
      for (long g : u.additionalGids()) {
        if (ns.isInitial() || ns.mapsGid(g)) {
          flags.addAll(List.of("--additional-gids", Long.toString(g)));
        }
      }
      flags.addAll(List.of("--env", "HOME=" + u.home()));
    }
    if (o.workdir() != null && !o.workdir().isEmpty()) {
      if (!o.workdir().startsWith("/")) {
        throw new RunnerException(
            "the working directory '"
                + o.workdir()
                + "' is invalid, it needs to be an absolute path",
            RunnerErrors.CANNOT_CREATE);
      }
      flags.addAll(List.of("--cwd", o.workdir()));
    }
    for (String e : o.env()) {
      if (e.indexOf('=') < 0) {
        String v = System.getenv(e);
        if (v == null) {
          continue;
        }
        e = e + "=" + v;
      }
      flags.addAll(List.of("--env", e));
    }
    if (o.tty()) {
      flags.add("--tty");
      flags.addAll(List.of("--env", "TERM=xterm"));
    }
    if (o.detach()) {
      flags.add("--detach");
    }
    Path log = Files.createTempFile(cdir, "exec-", ".log");
    try {
      RuntimeIo io =
          o.detach()
              // no pipe: the detached process would hold it open, and jbuild would wait for it
              ? new RuntimeIo(
                  RuntimeIo.Stdin.NULL, new RuntimeIo.Output.LogFile(Path.of("/dev/null")), true)
              : attach.runtimeIo(false);
      int rc = -1;
      if (o.detach() && ExecRequests.served(cdir)) {
        // the monitor runs it and stays its parent, so it is reaped when it exits
        rc = ExecRequests.request(cdir, log, flags, o.argv(), 10_000);
      }
      if (rc < 0 && terminal != null) {
        // runc exec --tty in the foreground on jbuild's pty (see Pty)
        Process p = terminal.start(rt.execCommand(id, log, flags, o.argv()));
        rc = p.waitFor();
      } else if (rc < 0) {
        RuntimeProcess p = rt.exec(id, log, flags, o.argv(), io);
        rc = p.waitFor();
      }
      if (rc != 0) {
        Optional<String> error = rt.loggedErrorIn(log);
        if (error.isPresent()) {
          throw rt.failure(error.get());
        }
      }
      return rc;
    } finally {
      Files.deleteIfExists(log);
    }
  }

  /** See {@link Containers#pids}. */
  static List<Long> pids(OciRuntime runtime, ContainerState s) throws IOException {
    if (!s.isRunning()) {
      throw new RunnerException(
          "container " + s.record().id() + " is not running", RunnerErrors.CANNOT_CREATE);
    }
    long init = runtime.pid(s.record().id());
    if (init <= 0) {
      return List.of();
    }
    Path ns;
    try {
      ns = Files.readSymbolicLink(Path.of("/proc", Long.toString(init), "ns", "pid"));
    } catch (IOException e) {
      return List.of();
    }
    List<Long> out = new ArrayList<>();
    try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"))) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          if (Files.readSymbolicLink(p.resolve("ns").resolve("pid")).equals(ns)) {
            out.add(Long.parseLong(name));
          }
        } catch (IOException e) {
          // gone, or not ours to see
        }
      }
    }
    out.sort(null);
    return out;
  }
}
