package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.AsUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code jbuild serve} as an ordinary user ({@link AsUser#WITH_RANGES}, through the launcher's user
 * namespace): the default socket under {@code $XDG_RUNTIME_DIR}, owned by the user with mode 0660,
 * and Debian's docker CLI, as that user, building an image with a RUN step through it and running a
 * container of it.
 */
class RootlessServeIT {
  private static final Duration TIMEOUT = Duration.ofMinutes(4);

  @Test
  void anOrdinaryUsersDaemonBuildsAndRuns() throws Exception {
    AsUser user = AsUser.of(AsUser.WITH_RANGES);
    Path dir = user.workDir("serve-rootless");
    Path runtime = Files.createDirectories(dir.resolve("run"));
    Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwx------"));
    Path ctx = Files.createDirectories(dir.resolve("ctx"));
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM "
            + TestRegistry.busybox()
            + "\n"
            + "RUN echo \"built by $(id -u) in a user namespace\" > /built\n"
            + "COPY a.txt /a.txt\n");
    Files.writeString(ctx.resolve("a.txt"), "rootless context\n");
    user.chownTree(dir);
    Path socket = runtime.resolve("jbuild/jbuild.sock");
    Path log = dir.resolve("daemon.log");
    List<String> serve =
        new ArrayList<>(
            List.of(
                "runuser",
                "-u",
                user.name(),
                "--",
                "env",
                "-i",
                "HOME=" + user.home(),
                "USER=" + user.name(),
                "PATH=" + AsUser.USER_PATH,
                "LANG=C.UTF-8",
                "XDG_RUNTIME_DIR=" + runtime,
                AsUser.launcher().toString(),
                "--root",
                dir.resolve("store").toString(),
                "serve"));
    Process daemon =
        new ProcessBuilder(serve)
            .directory(dir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectErrorStream(true)
            .start();
    try {
      awaitSocket(daemon, socket, log);
      assertEquals(
          user.uid(), Files.getAttribute(socket, "unix:uid", LinkOption.NOFOLLOW_LINKS), "owner");
      assertEquals(
          0660,
          (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0777);

      AsUser.Result build = docker(user, dir, "build", "-t", "rootless-served:1", ctx.toString());
      assertEquals(0, build.exit(), build + "\n" + Files.readString(log));
      assertTrue(build.out().contains("Successfully tagged rootless-served:1"), build.toString());

      AsUser.Result run =
          docker(user, dir, "run", "--rm", "rootless-served:1", "cat", "/built", "/a.txt");
      assertEquals(0, run.exit(), run + "\n" + Files.readString(log));
      assertEquals("built by 0 in a user namespace\nrootless context\n", run.out());

      // a terminal through the rootless daemon: the monitor's pty in the user namespace
      AsUser.Result tty =
          user.run(
              dir,
              TIMEOUT,
              List.of(
                  "/usr/bin/script",
                  "-qec",
                  "env DOCKER_HOST=unix://"
                      + dir.resolve("run/jbuild/jbuild.sock")
                      + " DOCKER_CONFIG="
                      + dir.resolve("docker-config")
                      + " docker run -t --rm rootless-served:1 tty",
                  "/dev/null"));
      assertEquals(0, tty.exit(), tty + "\n" + Files.readString(log));
      assertTrue(tty.out().matches("(?s)/dev/pts/\\d+\\r?\\r?\\n"), tty.toString());
    } finally {
      // SIGTERM to the daemon's JVM only: runuser and the launcher wait for it and reap it
      // (killed first, they would leave it to an init that may never reap)
      daemon
          .descendants()
          .filter(h -> h.info().command().orElse("").endsWith("/java"))
          .forEach(ProcessHandle::destroy);
      if (!daemon.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
        daemon.descendants().forEach(ProcessHandle::destroyForcibly);
        daemon.destroyForcibly();
      }
      // the launcher's pause process of this XDG_RUNTIME_DIR (its own user namespace) goes too
      Path pauseFile = runtime.resolve("jbuild/userns.pid");
      if (Files.exists(pauseFile)) {
        long pid = Long.parseLong(Files.readString(pauseFile).trim().split("\\s+")[0]);
        ProcessHandle.of(pid)
            .filter(h -> h.info().command().orElse("").endsWith("/sleep"))
            .ifPresent(ProcessHandle::destroy);
      }
      new ProcessBuilder("rm", "-rf", "--one-file-system", "--", dir.toString())
          .inheritIO()
          .start()
          .waitFor();
    }
  }

  private static AsUser.Result docker(AsUser user, Path dir, String... args) throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "env",
                "DOCKER_HOST=unix://" + dir.resolve("run/jbuild/jbuild.sock"),
                "DOCKER_BUILDKIT=0",
                "DOCKER_CLI_HINTS=false",
                "DOCKER_CONFIG=" + dir.resolve("docker-config"),
                DockerCli.DOCKER.toString()));
    cmd.addAll(List.of(args));
    return user.run(dir, TIMEOUT, cmd);
  }

  private static void awaitSocket(Process daemon, Path socket, Path log) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < end) {
      if (!daemon.isAlive()) {
        throw new AssertionError(
            "jbuild serve exited with " + daemon.exitValue() + ":\n" + Files.readString(log));
      }
      if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
        try {
          if (new ApiClient(socket).get("/_ping").status() == 200) {
            return;
          }
        } catch (IOException e) {
          // not listening yet
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no daemon on " + socket + ":\n" + Files.readString(log));
  }
}
