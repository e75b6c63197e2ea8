package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.cli.InProcessCli.Result;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.Capabilities;
import dev.jbuild.testing.TestImages;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --cap-add}, {@code --cap-drop}, {@code --read-only}, {@code --tmpfs}, {@code
 * --stop-signal} and {@code --stop-timeout} of {@code jbuild run}, with real runc: what the
 * container's /proc/self/status and file system show, and how stop ends it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunSecurityOptionsIT {
  @TempDir static Path tmp;
  Path root;

  Result jbuild(String... args) {
    return InProcessCli.run(root, args);
  }

  @BeforeAll
  void images() throws Exception {
    root = tmp.resolve("store");
    try (Store s = Store.open(root)) {
      TestImages.busybox(s, "busybox:latest");
    }
  }

  @AfterAll
  void nothingLeftBehind() throws Exception {
    Result r = jbuild("ps", "-a", "-q", "--no-trunc");
    for (String id : r.out().lines().toList()) {
      jbuild("rm", "-f", id);
    }
    for (Path p : dev.jbuild.runner.Trees.mountsUnder(root)) {
      throw new AssertionError("still mounted: " + p);
    }
  }

  void await(String what, java.util.function.BooleanSupplier condition) throws Exception {
    for (int i = 0; i < 400; i++) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out waiting for " + what);
  }

  /** The /proc/self/status line {@code key} of {@code status}, its value. */
  static String line(String status, String key) {
    return status
        .lines()
        .filter(l -> l.startsWith(key + ":"))
        .map(l -> l.substring(key.length() + 1).strip())
        .findFirst()
        .orElse("(none)");
  }

  static String mask(List<String> caps) {
    long m = 0;
    for (String c : caps) {
      m |= 1L << Capabilities.BY_NUMBER.indexOf(c);
    }
    return String.format("%016x", m);
  }

  @Test
  void capDropAllThenAddOne() {
    Result r =
        jbuild(
            "run",
            "--rm",
            "--cap-drop",
            "ALL",
            "--cap-add",
            "net_bind_service",
            "busybox",
            "grep",
            "Cap",
            "/proc/self/status");
    assertEquals(0, r.exit(), r.err());
    String one = mask(List.of("CAP_NET_BIND_SERVICE"));
    assertEquals(one, line(r.out(), "CapEff"), r.out());
    assertEquals(one, line(r.out(), "CapPrm"), r.out());
    assertEquals(one, line(r.out(), "CapBnd"), r.out());
    assertEquals("0000000000000000", line(r.out(), "CapAmb"), r.out());
  }

  @Test
  void capDropChownTakesChownAway() {
    Result r =
        jbuild(
            "run",
            "--rm",
            "--cap-drop",
            "CAP_CHOWN",
            "busybox",
            "sh",
            "-c",
            "grep Cap /proc/self/status; touch /f; chown 1 /f && echo chowned || echo denied");
    assertEquals(0, r.exit(), r.err());
    List<String> without =
        Capabilities.DOCKER_DEFAULT.stream().filter(c -> !c.equals("CAP_CHOWN")).toList();
    assertEquals(mask(without), line(r.out(), "CapEff"), r.out());
    assertEquals(mask(without), line(r.out(), "CapBnd"), r.out());
    assertTrue(r.out().endsWith("denied\n"), r.out());
    // Docker's defaults hold CAP_CHOWN: the same command chowns without the drop
    Result plain =
        jbuild("run", "--rm", "busybox", "sh", "-c", "touch /f; chown 1 /f && echo chowned");
    assertEquals("chowned\n", plain.out(), plain.err());
  }

  @Test
  void anUnknownCapabilityIsAUsageError() {
    Result r = jbuild("run", "--rm", "--cap-add", "FOO", "busybox", "true");
    assertEquals(ExitCodes.USAGE, r.exit(), r.out());
    assertTrue(r.err().contains("--cap-add: unknown capability: \"CAP_FOO\""), r.err());
    Result drop = jbuild("create", "--cap-drop", "cap_nope", "busybox", "true");
    assertEquals(ExitCodes.USAGE, drop.exit(), drop.out());
    assertTrue(drop.err().contains("unknown capability: \"CAP_NOPE\""), drop.err());
    assertEquals("", jbuild("ps", "-a", "-q").out(), "no container is left");
  }

  @Test
  void readOnlyRootKeepsShmAndTmpfsWritable() {
    Result r =
        jbuild(
            "run",
            "--rm",
            "--read-only",
            "--tmpfs",
            "/t",
            "busybox",
            "sh",
            "-c",
            "touch /x 2>/dev/null && echo root-rw || echo root-ro;"
                + " touch /dev/shm/x && echo shm-ok; echo in-tmpfs > /t/f && cat /t/f");
    assertEquals(0, r.exit(), r.err());
    assertEquals("root-ro\nshm-ok\nin-tmpfs\n", r.out());
  }

  @Test
  void stopSignalReachesTheTrapAndIsInspected() throws Exception {
    Result r =
        jbuild(
            "run",
            "-d",
            "--name",
            "usr1",
            "--stop-signal",
            "SIGUSR1",
            "busybox",
            "sh",
            "-c",
            "trap 'echo got-usr1; exit 5' USR1; echo ready; while :; do sleep 0.1; done");
    assertEquals(0, r.exit(), r.err());
    await("ready", () -> jbuild("logs", "usr1").out().contains("ready"));
    Result inspect = jbuild("inspect", "-f", "{{.Config.StopSignal}}", "usr1");
    assertEquals("SIGUSR1\n", inspect.out(), inspect.err());
    assertEquals(0, jbuild("stop", "usr1").exit());
    assertEquals("5\n", jbuild("wait", "usr1").out());
    assertEquals("ready\ngot-usr1\n", jbuild("logs", "usr1").out());
    assertEquals(0, jbuild("rm", "usr1").exit());

    Result bad = jbuild("run", "--rm", "--stop-signal", "SIGNOPE", "busybox", "true");
    assertEquals(ExitCodes.USAGE, bad.exit());
    assertTrue(bad.err().contains("invalid signal: SIGNOPE"), bad.err());
  }

  @Test
  void stopTimeoutKillsAContainerIgnoringSigterm() throws Exception {
    Result r =
        jbuild(
            "run",
            "-d",
            "--name",
            "deaf",
            "--stop-timeout",
            "1",
            "busybox",
            "sh",
            "-c",
            "trap '' TERM; echo ready; while :; do sleep 0.1; done");
    assertEquals(0, r.exit(), r.err());
    await("ready", () -> jbuild("logs", "deaf").out().contains("ready"));
    Result inspect = jbuild("inspect", "-f", "{{.Config.StopTimeout}}", "deaf");
    assertEquals("1\n", inspect.out(), inspect.err());
    assertEquals(0, jbuild("stop", "deaf").exit());
    assertEquals("137\n", jbuild("wait", "deaf").out());
    assertEquals(0, jbuild("rm", "deaf").exit());
  }
}
