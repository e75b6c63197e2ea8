package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.AsUser;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build --load} into a daemon on plain TCP ({@code DOCKER_HOST=tcp://127.0.0.1:PORT}, as
 * docker reads it): here the daemon is {@code jbuild serve} listening on loopback, and the loaded
 * image is then listed through its socket by Debian's docker CLI.
 */
class LoadOverTcpIT {
  @TempDir Path tmp;

  private record Outcome(int exit, String out) {}

  private Outcome jbuild(Path store, String dockerHost, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(AsUser.launcher().toString()));
    cmd.addAll(List.of("--root", store.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().remove("JBUILD_HOST");
    pb.environment().remove("JBUILD_ROOT");
    pb.environment().put("DOCKER_HOST", dockerHost);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "jbuild did not end");
    return new Outcome(p.exitValue(), out);
  }

  @Test
  void loadReachesADaemonOnPlainTcp() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY a.txt /a.txt\n");
    Files.writeString(ctx.resolve("a.txt"), "loaded over tcp\n");
    try (DaemonProcess daemon =
        DaemonProcess.start(
            tmp.resolve("daemon-store"),
            tmp.resolve("d.sock"),
            tmp.resolve("daemon.log"),
            "-H",
            "tcp://127.0.0.1:" + port)) {
      Outcome r =
          jbuild(
              tmp.resolve("store"),
              "tcp://127.0.0.1:" + port,
              "build",
              "--progress",
              "plain",
              "-t",
              "loaded-tcp:1",
              "--load",
              ctx.toString());
      assertEquals(0, r.exit(), r.out() + "\n" + daemon.log());
      DockerCli docker = new DockerCli(daemon, tmp);
      DockerCli.Result images = docker.run("images", "--format", "{{.Repository}}:{{.Tag}}");
      assertTrue(images.out().contains("loaded-tcp:1"), images + "\n" + daemon.log());
    }
    // nothing listens there any more: the clear error, naming the address
    Outcome none =
        jbuild(
            tmp.resolve("store"),
            "tcp://127.0.0.1:" + port,
            "build",
            "-t",
            "loaded-tcp:2",
            "--load",
            ctx.toString());
    assertEquals(1, none.exit(), none.out());
    assertTrue(
        none.out().contains("--load: no docker daemon at tcp://127.0.0.1:" + port), none.out());
  }
}
