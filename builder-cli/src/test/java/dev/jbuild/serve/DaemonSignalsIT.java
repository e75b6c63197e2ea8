package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.AsUser;
import dev.jbuild.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's signals stay the daemon's: a client's attached {@code run} executes inside the
 * daemon, and must not take SIGTERM over (daemonless {@code jbuild run} forwards it to its
 * container, the daemon does not): a SIGTERM while a client's container runs stops the daemon.
 */
class DaemonSignalsIT {
  @TempDir Path tmp;

  @Test
  void sigtermStopsTheDaemonWhileAClientsRunIsAttached() throws Exception {
    Path store = tmp.resolve("store");
    try (Store s = Store.open(store)) {
      TestImages.busybox(s, "busybox");
    }
    try (DaemonProcess daemon =
        DaemonProcess.start(store, tmp.resolve("jbuild.sock"), tmp.resolve("daemon.log"))) {
      ProcessBuilder pb =
          new ProcessBuilder(
                  AsUser.launcher().toString(),
                  "--host",
                  daemon.host(),
                  "run",
                  "--rm",
                  "busybox",
                  "sleep",
                  "65")
              .directory(tmp.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectOutput(tmp.resolve("client.out").toFile())
              .redirectErrorStream(true);
      pb.environment().remove("JBUILD_HOST");
      Process client = pb.start();
      try {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!sleeping(daemon) && System.nanoTime() < end && client.isAlive()) {
          Thread.sleep(100);
        }
        assertTrue(sleeping(daemon), "the container never started: " + daemon.log());
        daemon.process().destroy(); // SIGTERM
        assertTrue(
            daemon.process().waitFor(60, TimeUnit.SECONDS),
            "the daemon did not stop on SIGTERM: " + daemon.log());
      } finally {
        client.destroyForcibly();
        client.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static boolean sleeping(DaemonProcess daemon) {
    return daemon
        .process()
        .descendants()
        .anyMatch(
            h -> {
              try {
                return new String(
                        Files.readAllBytes(Path.of("/proc/" + h.pid() + "/cmdline")),
                        StandardCharsets.UTF_8)
                    .equals("sleep\0" + "65\0");
              } catch (java.io.IOException e) {
                return false;
              }
            });
  }
}
