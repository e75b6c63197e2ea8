package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.cli.InProcessCli.Result;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container lifecycle through the command line, with real runc, overlayfs and monitors: create,
 * start, stop, restart, kill, wait, pause, rename, prune, logs, restart policies, and a monitor
 * killed with SIGKILL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerLifecycleIT {
  @TempDir static Path tmp;
  Path root;

  Result jbuild(String... args) {
    return InProcessCli.run(root, args);
  }

  @BeforeAll
  void images() throws Exception {
    root = tmp.resolve("store");
    try (Store s = Store.open(root)) {
      TestImages.busybox(s, "busybox");
      TestImages.busybox(
          s,
          "checked:1",
          TestImages.Options.defaults()
              .withConfig(
                  c ->
                      c.withHealthcheck(
                          dev.jbuild.layercache.model.HealthConfig.of(
                              List.of("CMD-SHELL", "test -e /tmp/ok"),
                              java.time.Duration.ofMillis(200),
                              null,
                              null,
                              null,
                              2))));
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

  /** The STATUS cell of container {@code name} in {@code ps -a}. */
  String status(String name) {
    Result r = jbuild("ps", "-a");
    return Arrays.stream(r.out().split("\n"))
        .filter(l -> l.endsWith(" " + name))
        .map(l -> List.of(l.split(" {3,}")).get(4))
        .findFirst()
        .orElse("(none)");
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

  String id(String name) {
    Result r = jbuild("ps", "-a", "--no-trunc");
    return Arrays.stream(r.out().split("\n"))
        .filter(l -> l.endsWith(" " + name))
        .map(l -> l.split(" ")[0])
        .findFirst()
        .orElseThrow();
  }

  @Test
  void createStartKillWaitRestartRenameRm() throws Exception {
    Result r =
        jbuild(
            "create",
            "--name",
            "life",
            "busybox",
            "sh",
            "-c",
            "echo started; trap 'echo term; exit 3' TERM; while :; do sleep 0.1; done");
    assertEquals(0, r.exit(), r.err());
    String id = r.out().strip();
    assertEquals(64, id.length(), r.out());
    assertEquals("Created", status("life"));
    assertFalse(
        dev.jbuild.runner.Trees.mountsUnder(root.resolve("containers").resolve(id))
            .iterator()
            .hasNext(),
        "a created container is not mounted");

    assertEquals(0, jbuild("start", "life").exit());
    assertTrue(status("life").startsWith("Up "), status("life"));
    await("started output", () -> jbuild("logs", "life").out().equals("started\n"));

    r = jbuild("kill", "-s", "TERM", "life");
    assertEquals(0, r.exit(), r.err());
    r = jbuild("wait", "life");
    assertEquals("3\n", r.out());
    assertTrue(status("life").startsWith("Exited (3) "), status("life"));

    r = jbuild("restart", "-t", "5", "life");
    assertEquals(0, r.exit(), r.err());
    assertTrue(status("life").startsWith("Up "), status("life"));
    await("second run", () -> jbuild("logs", "life").out().equals("started\nterm\nstarted\n"));

    assertEquals(0, jbuild("rename", "life", "life2").exit());
    assertEquals("(none)", status("life"));
    assertTrue(status("life2").startsWith("Up "));
    r = jbuild("rename", "life2", "bad/name");
    assertEquals(ExitCodes.FAILED, r.exit());

    r = jbuild("stop", "-t", "5", "life2");
    assertEquals(0, r.exit(), r.err());
    assertTrue(status("life2").startsWith("Exited (3) "), status("life2"));
    r = jbuild("kill", "life2");
    assertEquals(ExitCodes.FAILED, r.exit());
    assertTrue(r.err().contains("is not running"), r.err());
    assertEquals(0, jbuild("rm", "life2").exit());
    assertFalse(Files.exists(root.resolve("containers").resolve(id)));
  }

  @Test
  void startAttachedAndPrune() throws Exception {
    Result r =
        jbuild("create", "--name", "att", "busybox", "sh", "-c", "echo out; echo err >&2; exit 4");
    assertEquals(0, r.exit(), r.err());
    r = jbuild("start", "-a", "att");
    assertEquals(4, r.exit(), r.err());
    assertEquals("out\n", r.out());
    assertEquals("err\n", r.err());
    r = jbuild("container", "prune", "-f");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith("Deleted Containers:\n"), r.out());
    assertEquals("(none)", status("att"));
  }

  @Test
  void anAttachedRunsOutputIsLoggedToo() throws Exception {
    Result r =
        jbuild(
            "run", "--name", "fg", "busybox", "sh", "-c", "echo out; echo err >&2; printf partial");
    assertEquals(0, r.exit(), r.err());
    assertEquals("out\npartial", r.out(), "passed on as it came");
    assertTrue(r.err().contains("err\n"), r.err());
    r = jbuild("logs", "fg");
    assertEquals(0, r.exit(), r.err());
    assertEquals("out\npartial", r.out(), "docker logs shows an attached run's output");
    assertEquals("err\n", r.err());
    assertEquals(0, jbuild("rm", "fg").exit());
  }

  @Test
  void logsTailSinceTimestampsAndFollow() throws Exception {
    Result r =
        jbuild(
            "run",
            "-d",
            "--name",
            "talker",
            "busybox",
            "sh",
            "-c",
            "echo one; echo two >&2; echo three; while [ ! -e /tmp/go ]; do sleep 0.05; done;"
                + " echo late");
    assertEquals(0, r.exit(), r.err());
    await("three lines", () -> jbuild("logs", "talker").out().equals("one\nthree\n"));
    r = jbuild("logs", "talker");
    assertEquals("two\n", r.err());
    // stdout and stderr are read apart: "two" may come before or after "three"
    r = jbuild("logs", "--tail", "1", "talker");
    assertEquals(1, (r.out() + r.err()).lines().count(), r.out() + r.err());
    r = jbuild("logs", "-t", "--tail", "1", "talker");
    assertTrue(
        (r.out() + r.err()).matches("20[0-9-]{8}T[0-9:.]+Z (two|three)\n"),
        "RFC 3339 timestamps: " + r.out() + r.err());
    assertEquals("", jbuild("logs", "--since", "2999-01-01T00:00:00Z", "talker").out());
    assertEquals("one\nthree\n", jbuild("logs", "--since", "10m", "talker").out());
    // -f follows: the line written later arrives, and it returns when the container ends
    java.util.concurrent.CompletableFuture<Result> follow =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> jbuild("logs", "-f", "talker"));
    Thread.sleep(500);
    assertFalse(follow.isDone(), "follows while the container runs");
    assertEquals(0, jbuild("exec", "talker", "touch", "/tmp/go").exit());
    r = follow.get(60, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(0, r.exit(), r.err());
    assertEquals("one\nthree\nlate\n", r.out());

    Path log = root.resolve("containers").resolve(id("talker")).resolve(id("talker") + "-json.log");
    // stdout and stderr are two pipes: the stderr line may come first in the file
    String first =
        Files.readAllLines(log).stream()
            .filter(l -> l.contains("stdout"))
            .findFirst()
            .orElseThrow();
    assertTrue(
        first.matches("\\{\"log\":\"one\\\\n\",\"stream\":\"stdout\",\"time\":\"[^\"]+\"}"), first);
  }

  @Test
  void logsAreCappedAndRotated() throws Exception {
    Result r =
        jbuild(
            "run",
            "-d",
            "--name",
            "chatty",
            "--log-opt",
            "max-size=2k",
            "--log-opt",
            "max-file=2",
            "busybox",
            "sh",
            "-c",
            "i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo line $i; done");
    assertEquals(0, r.exit(), r.err());
    assertEquals("0\n", jbuild("wait", "chatty").out());
    String id = id("chatty");
    Path cdir = root.resolve("containers").resolve(id);
    List<Path> files;
    try (var s = Files.list(cdir)) {
      files = s.filter(p -> p.getFileName().toString().contains("-json.log")).sorted().toList();
    }
    assertEquals(2, files.size(), files.toString());
    for (Path f : files) {
      assertTrue(Files.size(f) <= 2000, f + ": " + Files.size(f));
    }
    List<String> lines = jbuild("logs", "chatty").out().lines().toList();
    assertEquals("line 300", lines.getLast());
    assertTrue(lines.size() < 300 && lines.size() > 20, "older lines dropped: " + lines.size());
    for (int i = 1; i < lines.size(); i++) {
      int prev = Integer.parseInt(lines.get(i - 1).substring(5));
      assertEquals(prev + 1, Integer.parseInt(lines.get(i).substring(5)), "in order, no gap");
    }
    r = jbuild("run", "-d", "--log-opt", "max-size=none", "busybox", "true");
    assertEquals(ExitCodes.USAGE, r.exit());
  }

  @Test
  void restartPolicies() throws Exception {
    Result r =
        jbuild(
            "run",
            "-d",
            "--name",
            "flaky",
            "--restart",
            "on-failure:2",
            "busybox",
            "sh",
            "-c",
            "echo run; exit 1");
    assertEquals(0, r.exit(), r.err());
    assertEquals("1\n", jbuild("wait", "flaky").out());
    assertEquals("run\nrun\nrun\n", jbuild("logs", "flaky").out(), "the first run and 2 restarts");

    r =
        jbuild(
            "run",
            "-d",
            "--name",
            "always",
            "--restart",
            "always",
            "busybox",
            "sh",
            "-c",
            "echo run; sleep 0.2");
    assertEquals(0, r.exit(), r.err());
    await("a restart", () -> jbuild("logs", "always").out().length() >= "run\nrun\n".length());
    r = jbuild("stop", "-t", "1", "always");
    assertEquals(0, r.exit(), r.err());
    String after = jbuild("logs", "always").out();
    assertTrue(status("always").startsWith("Exited "), status("always"));
    Thread.sleep(1000);
    assertEquals(after, jbuild("logs", "always").out(), "stopped by the user: not restarted");

    r = jbuild("run", "-d", "--restart", "sometimes", "busybox", "true");
    assertEquals(ExitCodes.USAGE, r.exit());
    r = jbuild("run", "--rm", "--restart", "always", "busybox", "true");
    assertEquals(ExitCodes.USAGE, r.exit());
  }

  @Test
  void pauseFreezesTheContainer() throws Exception {
    Result r =
        jbuild(
            "run",
            "-d",
            "--name",
            "ticker",
            "busybox",
            "sh",
            "-c",
            "while :; do echo tick; sleep 0.05; done");
    assertEquals(0, r.exit(), r.err());
    await("ticks", () -> jbuild("logs", "ticker").out().length() > 10);
    assertEquals(0, jbuild("pause", "ticker").exit());
    assertTrue(status("ticker").endsWith("(Paused)"), status("ticker"));
    String frozen = jbuild("logs", "ticker").out();
    Thread.sleep(1000);
    assertEquals(frozen, jbuild("logs", "ticker").out(), "no tick while frozen");
    assertEquals(ExitCodes.FAILED, jbuild("pause", "ticker").exit());
    assertEquals(0, jbuild("unpause", "ticker").exit());
    await("ticks again", () -> jbuild("logs", "ticker").out().length() > frozen.length());
    assertEquals(0, jbuild("rm", "-f", "ticker").exit());
  }

  @Test
  void healthcheckOfTheImageAndOfTheCommandLine() throws Exception {
    Result r = jbuild("run", "-d", "--name", "doc", "checked:1", "sleep", "300");
    assertEquals(0, r.exit(), r.err());
    await("unhealthy", () -> status("doc").endsWith(" (unhealthy)"));
    assertEquals(0, jbuild("exec", "doc", "touch", "/tmp/ok").exit());
    await("healthy", () -> status("doc").endsWith(" (healthy)"));
    r = jbuild("inspect", "-f", "{{.State.Health.Status}} {{.State.Health.FailingStreak}}", "doc");
    assertEquals("healthy 0\n", r.out());

    r = jbuild("run", "-d", "--name", "unchecked", "--no-healthcheck", "checked:1", "sleep", "300");
    assertEquals(0, r.exit(), r.err());
    r =
        jbuild(
            "run",
            "-d",
            "--name",
            "cli",
            "--health-cmd",
            "exit 1",
            "--health-interval",
            "100ms",
            "--health-retries",
            "1",
            "busybox",
            "sleep",
            "300");
    assertEquals(0, r.exit(), r.err());
    await("unhealthy by --health-cmd", () -> status("cli").endsWith(" (unhealthy)"));
    assertTrue(status("unchecked").matches("Up [^(]+"), status("unchecked"));
    assertEquals(
        ExitCodes.USAGE, jbuild("run", "--health-interval", "soon", "busybox", "true").exit());
    assertEquals(0, jbuild("rm", "-f", "doc", "unchecked", "cli").exit());
  }

  @Test
  void resourceLimits() {
    Result r =
        jbuild(
            "run",
            "--rm",
            "--pids-limit",
            "5",
            "busybox",
            "sh",
            "-c",
            "for i in 1 2 3 4 5 6 7 8; do sleep 2 & done; echo done");
    assertTrue(r.err().contains("can't fork"), "the 6th process is refused: " + r.out() + r.err());
    r =
        jbuild(
            "run",
            "--rm",
            "-m",
            "16m",
            "busybox",
            "sh",
            "-c",
            "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived");
    assertEquals(137, r.exit(), "killed by the memory cgroup: " + r.out() + r.err());
    r =
        jbuild(
            "run", "-d", "--name", "limited", "--cpus", "0.5", "-m", "64m", "busybox", "sleep",
            "300");
    assertEquals(0, r.exit(), r.err());
    r = jbuild("inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}", "limited");
    assertEquals("67108864 500000000\n", r.out());
    assertEquals(0, jbuild("rm", "-f", "limited").exit());
    assertEquals(ExitCodes.USAGE, jbuild("run", "--rm", "-m", "1k", "busybox", "true").exit());
  }

  @Test
  void initIsPid1AndReaps() throws Exception {
    Result r =
        jbuild(
            "run",
            "--rm",
            "--init",
            "busybox",
            "sh",
            "-c",
            "cat /proc/1/cmdline | tr '\\0' ' '; echo; sh -c 'sleep 0.1 &'; sleep 1;"
                + " grep -l '^State:.*Z' /proc/[0-9]*/status | wc -l");
    assertEquals(0, r.exit(), r.err());
    String[] lines = r.out().split("\n");
    assertTrue(lines[0].startsWith("/sbin/docker-init -- sh -c "), r.out());
    assertEquals("0", lines[1].strip(), "the orphaned sleep was reaped: " + r.out());
  }

  @Test
  void aKilledMonitorLeavesNothingBehind() throws Exception {
    Result r = jbuild("run", "-d", "--name", "orphan", "busybox", "sleep", "300");
    assertEquals(0, r.exit(), r.err());
    String id = r.out().strip();
    Path cdir = root.resolve("containers").resolve(id);
    String owner = Files.readString(cdir.resolve("owner"), StandardCharsets.UTF_8).strip();
    long monitor = Long.parseLong(owner.split(" ")[0]);
    String cmdline =
        new String(
            Files.readAllBytes(Path.of("/proc", Long.toString(monitor), "cmdline")),
            StandardCharsets.UTF_8);
    assertTrue(
        cmdline.contains("ContainerMonitor") && cmdline.contains(cdir.toString()),
        "the owner is its monitor: " + owner + " " + cmdline.replace('\0', ' '));
    ProcessHandle.of(monitor).orElseThrow().destroyForcibly();
    ProcessHandle.of(monitor).ifPresent(h -> h.onExit().join());
    await("swept", () -> status("orphan").equals("Dead"));
    // the next command cleaned up: no mount, no runtime state, no container process
    assertFalse(dev.jbuild.runner.Trees.mountsUnder(cdir).iterator().hasNext());
    assertFalse(Files.exists(root.resolve("runc").resolve(id)), "runc state deleted");
    Predicate<ProcessHandle> sleeper = h -> h.info().commandLine().orElse("").equals("sleep 300");
    await("container process gone", () -> ProcessHandle.allProcesses().noneMatch(sleeper));
    assertEquals(0, jbuild("rm", "orphan").exit());
    assertFalse(Files.exists(cdir));
  }
}
