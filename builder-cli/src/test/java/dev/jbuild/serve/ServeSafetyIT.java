package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One daemon per store, the crash of a daemon in the middle of a build, the socket's mode and the
 * refusal of plain TCP off loopback.
 */
class ServeSafetyIT {

  @TempDir Path tmp;

  @Test
  void aSecondDaemonOnTheSameStoreIsRefused() throws Exception {
    try (DaemonProcess first = DaemonProcess.start(tmp)) {
      assertEquals(
          PosixFilePermissions.fromString("rw-rw----"),
          Files.getPosixFilePermissions(first.socket()));
      Path log = tmp.resolve("second.log");
      Process second =
          DaemonProcess.launch(
              first.store(), log, List.of("serve", "-H", "unix://" + tmp.resolve("second.sock")));
      assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the second daemon keeps running");
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertNotEquals(0, second.exitValue(), out);
      assertTrue(
          out.contains("another jbuild serve (pid " + first.pid() + ") owns the store"), out);
      assertEquals(200, first.client().get("/_ping").status());
    }
  }

  @Test
  void plainTcpOffLoopbackIsRefusedAtStart() throws Exception {
    Path log = tmp.resolve("tcp.log");
    Process p =
        DaemonProcess.launch(
            tmp.resolve("store"), log, List.of("serve", "-H", "tcp://0.0.0.0:23750"));
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    String out = Files.readString(log, StandardCharsets.UTF_8);
    assertNotEquals(0, p.exitValue(), out);
    assertTrue(out.contains("refusing plain TCP on 0.0.0.0"), out);
  }

  @Test
  void aKilledDaemonLosesNoImageAndLeavesNoMount() throws Exception {
    Path store = tmp.resolve("store");
    Path socket = tmp.resolve("jbuild.sock");
    Path log = tmp.resolve("daemon.log");
    DaemonProcess first = DaemonProcess.start(store, socket, log);
    DockerCli docker = new DockerCli(first, tmp);
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(
        ctx.resolve("Dockerfile"), "FROM " + TestRegistry.busybox() + "\nRUN echo kept > /kept\n");
    DockerCli.Result built =
        docker.run(ctx, Duration.ofMinutes(5), "build", "-t", "jbt-crash:kept", ".");
    assertEquals(0, built.exit(), built.toString());
    Path kept = ContextPool.dir(store);
    try (Stream<Path> dirs = Files.list(kept)) {
      assertEquals(1, dirs.count(), "the build's context is kept");
    }

    Path slow = Files.createDirectories(tmp.resolve("slow"));
    Files.writeString(
        slow.resolve("Dockerfile"),
        "FROM " + TestRegistry.busybox() + "\nRUN echo started; sleep 60\n");
    Thread build =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    docker.run(slow, Duration.ofMinutes(2), "build", "-t", "jbt-crash:slow", ".");
                  } catch (IOException e) {
                    // the daemon dies under it
                  }
                });
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (mountsUnder(store).isEmpty() && System.nanoTime() < end) {
      Thread.sleep(100);
    }
    assertFalse(mountsUnder(store).isEmpty(), "the RUN step never mounted its root");
    first.kill();
    build.join(Duration.ofMinutes(1));

    try (DaemonProcess second = DaemonProcess.start(store, socket, log)) {
      assertTrue(mountsUnder(store).isEmpty(), "left mounted: " + mountsUnder(store));
      assertFalse(Files.exists(kept), "the kept contexts survived the restart");
      DockerCli.Result images =
          new DockerCli(second, tmp).run("images", "--format", "{{.Repository}}:{{.Tag}}");
      assertEquals(0, images.exit(), images.toString());
      assertTrue(images.out().contains("jbt-crash:kept"), images.out());
      assertFalse(images.out().contains("jbt-crash:slow"), images.out());
      try (Stream<Path> runs = Files.list(store.resolve("runs"))) {
        assertEquals(List.of(), runs.toList());
      }
    }
  }

  /** Mount points under {@code dir}, from this process's mount table. */
  static List<String> mountsUnder(Path dir) throws IOException {
    String prefix = dir.toRealPath().toString() + "/";
    return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
        .map(l -> l.split(" ")[4].replace("\\040", " "))
        .filter(m -> m.startsWith(prefix))
        .toList();
  }
}
