package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.AsUser;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that goes away cancels its work on the daemon, as docker cancels a build whose client
 * disconnected: a build whose RUN step sleeps 60 s, started through client mode ({@code jbuild
 * --host}, 61 s there) and through the docker CLI, its client SIGKILLed while the step runs; the
 * step's process is gone from the daemon's process tree well before its 60 s, nothing stays
 * mounted, and the next build works.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientDisconnectIT {
  /** Far more than a cancel takes, far less than the step's 60 s. */
  private static final Duration GONE_WITHIN = Duration.ofSeconds(40);

  @TempDir static Path tmp;
  Path store;
  DaemonProcess daemon;

  @BeforeAll
  void start() throws Exception {
    store = tmp.resolve("store");
    try (Store s = Store.open(store)) {
      TestImages.busybox(s, "busybox");
    }
    daemon = DaemonProcess.start(store, tmp.resolve("jbuild.sock"), tmp.resolve("daemon.log"));
  }

  @AfterAll
  void stop() throws Exception {
    daemon.close();
  }

  @Test
  void aKilledClientModeBuildIsCancelled() throws Exception {
    Path ctx = context("cm", "FROM busybox\nRUN echo started; sleep 61\n");
    Process client = jbuild("--host", daemon.host(), "build", "-t", "jbt-gone:cm", ctx.toString());
    killWhileSleeping(client, "61");
    Path next = context("cm-next", "FROM busybox\nRUN echo after > /after\n");
    Process again =
        jbuild("--host", daemon.host(), "build", "-t", "jbt-gone:next", next.toString());
    assertTrue(again.waitFor(300, TimeUnit.SECONDS), "the next build timed out");
    assertEquals(0, again.exitValue(), daemon.log());
  }

  @Test
  void aKilledClientModeRunIsCancelled() throws Exception {
    Process client = jbuild("--host", daemon.host(), "run", "--rm", "busybox", "sleep", "63");
    killWhileSleeping(client, "63");
    Process again = jbuild("--host", daemon.host(), "run", "--rm", "busybox", "true");
    assertTrue(again.waitFor(300, TimeUnit.SECONDS), "the next run timed out");
    assertEquals(0, again.exitValue(), daemon.log());
  }

  @Test
  void aKilledDockerBuildIsCancelled() throws Exception {
    DockerCli docker = new DockerCli(daemon, tmp);
    Path ctx = context("dk", "FROM busybox\nRUN echo started; sleep 60\n");
    killWhileSleeping(docker.start(ctx, "build", "-t", "jbt-gone:dk", "."), "60");
    Path next = context("dk-next", "FROM busybox\nRUN echo after > /after\n");
    DockerCli.Result r =
        docker.run(next, Duration.ofMinutes(5), "build", "-t", "jbt-gone:dk2", ".");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("Successfully tagged jbt-gone:dk2"), r.out());
  }

  /**
   * Waits for the step's sleep under the daemon, SIGKILLs the client, waits for the sleep's end.
   */
  private void killWhileSleeping(Process client, String seconds) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (sleeps(seconds).isEmpty() && System.nanoTime() < end && client.isAlive()) {
      Thread.sleep(100);
    }
    assertTrue(client.isAlive(), "the client ended before its RUN step ran: " + daemon.log());
    assertTrue(!sleeps(seconds).isEmpty(), "the RUN step never started: " + daemon.log());
    client.destroyForcibly();
    client.waitFor(30, TimeUnit.SECONDS);
    long gone = System.nanoTime() + GONE_WITHIN.toNanos();
    while (!sleeps(seconds).isEmpty() && System.nanoTime() < gone) {
      Thread.sleep(100);
    }
    assertEquals(
        List.of(), sleeps(seconds), "the RUN step still runs on the daemon: " + daemon.log());
    long unmounted = System.nanoTime() + GONE_WITHIN.toNanos();
    while (!ServeSafetyIT.mountsUnder(store).isEmpty() && System.nanoTime() < unmounted) {
      Thread.sleep(100);
    }
    assertEquals(List.of(), ServeSafetyIT.mountsUnder(store), "left mounted");
    assertFalse(daemon.log().contains("\tat "), "a trace in the daemon's log: " + daemon.log());
  }

  /** The pids of the daemon's descendants running {@code sleep SECONDS}. */
  private List<Long> sleeps(String seconds) {
    List<Long> found = new ArrayList<>();
    daemon
        .process()
        .descendants()
        .forEach(
            h -> {
              try {
                byte[] cmd = Files.readAllBytes(Path.of("/proc/" + h.pid() + "/cmdline"));
                if (new String(cmd, StandardCharsets.UTF_8).equals("sleep\0" + seconds + "\0")) {
                  found.add(h.pid());
                }
              } catch (IOException e) {
                // exited meanwhile
              }
            });
    return found;
  }

  private static Path context(String name, String dockerfile) throws IOException {
    Path ctx = Files.createDirectories(tmp.resolve(name));
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    return ctx;
  }

  private static Process jbuild(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(AsUser.launcher().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
    pb.environment().remove("JBUILD_HOST");
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.redirectOutput(tmp.resolve("client-" + System.nanoTime() + ".out").toFile());
    pb.redirectErrorStream(true);
    return pb.start();
  }
}
