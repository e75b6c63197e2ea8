package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.runner.testing.LayerEntries;
import dev.jbuild.runner.testing.RunnerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** RUN steps end to end: root, runc and overlayfs needed (CI has them). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunnerIT {
  @TempDir static Path tmp;
  RunnerFixture f;
  List<Digest> busybox;

  @BeforeAll
  void setUp() throws Exception {
    f = new RunnerFixture(tmp.resolve("store"));
    busybox = f.busybox("busybox:latest", 1);
  }

  @AfterAll
  void tearDown() throws Exception {
    assertEquals(List.of(), f.leftovers());
    f.close();
  }

  @Test
  void layerHoldsExactlyTheChanges() throws Exception {
    RunResult first =
        f.run(
            f.shell(
                busybox,
                "mkdir -p /d1/sub /d2 /d3 /dirToFile/in && echo a > /d1/f && echo b > /d1/sub/g"
                    + " && echo c > /f2 && echo k > /d2/k && echo x > /fileToDir"
                    + " && echo y > /dirToFile/in/z && echo old > /chg && ln -s /chg /sym"
                    + " && echo h > /hl1 && echo gone > /d3/q"));
    assertEquals(0, first.exitCode(), f.lines().toString());
    List<Digest> chain = RunnerFixture.plus(busybox, first);
    assertEquals(
        List.of(
            "FILE chg 0644 0:0 4",
            "DIR d1 0755 0:0",
            "FILE d1/f 0644 0:0 2",
            "DIR d1/sub 0755 0:0",
            "FILE d1/sub/g 0644 0:0 2",
            "DIR d2 0755 0:0",
            "FILE d2/k 0644 0:0 2",
            "DIR d3 0755 0:0",
            "FILE d3/q 0644 0:0 5",
            "DIR dirToFile 0755 0:0",
            "DIR dirToFile/in 0755 0:0",
            "FILE dirToFile/in/z 0644 0:0 2",
            "FILE f2 0644 0:0 2",
            "FILE fileToDir 0644 0:0 2",
            "FILE hl1 0644 0:0 2",
            "SYMLINK sym 0777 0:0 -> /chg"),
        LayerEntries.of(f.store, first.layer().orElseThrow().blob().digest()));

    RunResult second =
        f.run(
            f.shell(
                chain,
                "echo new > /d1/new && mkdir /newdir && echo n > /newdir/n"
                    + " && echo changed > /chg && chmod 600 /d2/k && chown 1000:1000 /d2"
                    + " && echo more >> /d1/sub/g && rm /f2 && rm -rf /d3"
                    + " && rm -rf /dirToFile && echo now-file > /dirToFile"
                    + " && rm /fileToDir && mkdir /fileToDir && echo i > /fileToDir/i"
                    + " && ln /hl1 /hl2 && ln -sf /elsewhere /sym"));
    assertEquals(0, second.exitCode(), f.lines().toString());
    RunResult.DiffLayer layer = second.layer().orElseThrow();
    assertEquals(layer.diffId(), layer.blob().digest(), "uncompressed: diff ID = blob digest");
    List<String> entries = LayerEntries.of(f.store, layer.blob().digest());
    assertEquals(
        List.of(
            "FILE .wh.d3 0000 0:0",
            "FILE .wh.f2 0000 0:0",
            "FILE chg 0644 0:0 8",
            "DIR d1 0755 0:0",
            "FILE d1/new 0644 0:0 4",
            "DIR d1/sub 0755 0:0",
            "FILE d1/sub/g 0644 0:0 7",
            "DIR d2 0755 1000:1000",
            "FILE d2/k 0600 0:0 2",
            "FILE dirToFile 0644 0:0 9",
            "DIR fileToDir 0755 0:0",
            "FILE fileToDir/.wh..wh..opq 0000 0:0",
            "FILE fileToDir/i 0644 0:0 2",
            "FILE hl1 0644 0:0 2",
            "HARDLINK hl2 0644 0:0 -> hl1",
            "DIR newdir 0755 0:0",
            "FILE newdir/n 0644 0:0 2",
            "SYMLINK sym 0777 0:0 -> /elsewhere"),
        entries);

    // the adopted upper directory is the layer's unpacked form: the next step sees the result
    RunResult third =
        f.run(
            f.shell(
                RunnerFixture.plus(chain, second),
                "cat /d1/sub/g /chg /dirToFile /fileToDir/i; ls /d1 /; test ! -e /d3 && echo no-d3;"
                    + " readlink /sym; stat -c %u:%g /d2"));
    assertEquals(0, third.exitCode());
    assertTrue(third.layer().isEmpty(), "a step that writes nothing has no layer");
    String out = String.join("\n", f.lines());
    assertTrue(out.startsWith("b\nmore\nchanged\nnow-file\ni\n"), out);
    assertTrue(out.contains("no-d3"), out);
    assertTrue(out.contains("/elsewhere"), out);
    assertTrue(out.endsWith("1000:1000"), out);
    assertFalse(out.contains("f2"), out);
  }

  @Test
  void exitCodesAndOutputStreams() throws Exception {
    RunResult r = f.run(f.shell(busybox, "echo out; echo err >&2; touch /x; exit 7"));
    assertEquals(7, r.exitCode());
    assertTrue(r.layer().isEmpty(), "a failed step leaves no layer");
    assertEquals(
        List.of("out", "E err"),
        f.lines().stream()
            .sorted((a, b) -> a.startsWith("E") ? 1 : b.startsWith("E") ? -1 : 0)
            .toList());
    assertEquals(1, f.run(f.shell(busybox, "false")).exitCode());
    assertEquals(0, f.run(f.shell(busybox, "true")).exitCode());
  }

  @Test
  void execFormAndMissingCommands() throws Exception {
    RunResult r =
        f.run(
            RunRequest.of(f.store, busybox, List.of("echo", "exec", "form")).withOutput(f.sink()));
    assertEquals(0, r.exitCode());
    assertEquals(List.of("exec form"), f.lines());
    RunnerException e =
        assertThrows(
            RunnerException.class,
            () -> f.run(RunRequest.of(f.store, busybox, List.of("nosuchcommand"))));
    assertEquals(127, e.exitCode());
    assertTrue(e.getMessage().contains("nosuchcommand"), e.getMessage());
  }

  @Test
  void envUserAndWorkdir() throws Exception {
    RunResult r =
        f.run(
            f.shell(busybox, "id; echo home=$HOME path=$PATH foo=$FOO; pwd; touch mine")
                .withEnv(List.of("FOO=bar baz"))
                .withUser("nobody")
                .withWorkdir("/app/work"));
    assertEquals(0, r.exitCode(), f.lines().toString());
    assertEquals(
        List.of(
            "uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)",
            "home=/home path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin foo=bar baz",
            "/app/work"),
        f.lines());
    assertEquals(
        List.of(
            "DIR app 0755 65534:65534",
            "DIR app/work 0755 65534:65534",
            "FILE app/work/mine 0644 65534:65534"),
        LayerEntries.of(f.store, r.layer().orElseThrow().blob().digest()));

    f.run(f.shell(busybox, "id; echo $HOME").withUser("1234:wheel").withEnv(List.of("PATH=/bin")));
    assertEquals(List.of("uid=1234 gid=10(wheel) groups=10(wheel)", "/"), f.lines());
    f.run(f.shell(busybox, "id -G"));
    assertEquals(List.of("0 10"), f.lines(), "root's supplementary groups from /etc/group");

    RunnerException e =
        assertThrows(RunnerException.class, () -> f.run(f.shell(busybox, "true").withUser("app")));
    assertEquals(RunnerErrors.userNotFound("app").getMessage(), e.getMessage());
  }

  @Test
  void isolation() throws Exception {
    Path marker = Files.createTempFile("jbuild-host-marker", "");
    try {
      f.run(
          f.shell(
                  busybox,
                  "echo pid=$$; hostname; echo /proc/[0-9]*; test -e "
                      + marker
                      + " || echo hidden;"
                      + " cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ,")
              .withHostname("sandbox")
              .withNetwork(Network.NONE));
      assertEquals("pid=1", f.lines().get(0));
      assertEquals("sandbox", f.lines().get(1));
      assertEquals("/proc/1", f.lines().get(2), "only the step's shell is visible");
      assertEquals("hidden", f.lines().get(3));
      assertEquals("lo,", f.lines().get(4));

      f.run(f.shell(busybox, "cat /proc/net/dev | wc -l; cat /etc/hosts; cat /proc/self/status"));
      assertTrue(Integer.parseInt(f.lines().get(0).strip()) > 3, "host network: " + f.lines());
      assertTrue(f.lines().contains("127.0.0.1\tlocalhost jbuild"), f.lines().toString());
      assertTrue(
          f.lines().stream().anyMatch(l -> l.startsWith("CapEff:\t00000000a80425fb")),
          "Docker's default capabilities: " + f.lines());

      // cgroups are visible read-only, as in Docker's containers
      // (cgroup v1: a tmpfs with read-only hierarchies in it; v2: cgroup2 itself read-only)
      f.run(
          f.shell(
              busybox,
              "grep ' /sys/fs/cgroup' /proc/self/mountinfo | awk '{print $6}' | grep -c '^ro'"));
      assertTrue(Integer.parseInt(f.lines().getLast().strip()) > 0, f.lines().toString());
    } finally {
      Files.delete(marker);
    }
  }

  @Test
  void mountsAndTheirStubsStayOutOfTheLayer() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("in"), "from host\n");
    Path secret = Files.writeString(tmp.resolve("secret"), "s3cret\n");
    RunResult r =
        f.run(
            f.shell(
                    busybox,
                    "cat /mnt/data/in /run/secrets/token; echo w > /cache/x; echo t > /scratch/y;"
                        + " ls /scratch; echo ro 2>/dev/null > /run/secrets/token || echo ro-ok")
                .withMounts(
                    List.of(
                        RunMount.Bind.readOnly(data, "/mnt/data"),
                        RunMount.Bind.readOnly(secret, "/run/secrets/token"),
                        RunMount.Bind.readWrite(
                            Files.createDirectories(tmp.resolve("cache")), "/cache"),
                        RunMount.Tmpfs.of("/scratch"))));
    assertEquals(0, r.exitCode(), f.lines().toString());
    assertEquals(List.of("from host", "s3cret", "y", "ro-ok"), f.lines());
    assertEquals("w\n", Files.readString(tmp.resolve("cache/x")));
    assertTrue(r.layer().isEmpty(), "mount targets are not changes");
  }

  @Test
  void chainOf120Layers() throws Exception {
    List<Digest> chain = f.busybox("bb120", 120);
    assertEquals(120, chain.size());
    RunResult r =
        f.run(f.shell(chain, "cat /layers/1 /layers/119; ls /layers | wc -l; echo x > /top"));
    assertEquals(0, r.exitCode(), f.lines().toString());
    assertEquals(List.of("layer 1", "layer 119", "119"), f.lines());
    assertEquals(
        List.of("FILE top 0644 0:0 2"),
        LayerEntries.of(f.store, r.layer().orElseThrow().blob().digest()));
  }

  @Test
  void readOnlyViews() throws Exception {
    Path root;
    try (Snapshot s = Snapshots.mountReadOnly(f.store, busybox)) {
      root = s.root();
      assertTrue(Files.readString(root.resolve("etc/passwd")).startsWith("root:x:0:0"));
      assertThrows(java.io.IOException.class, () -> Files.writeString(root.resolve("x"), "y"));
    }
    assertFalse(Files.exists(root));
    try (Snapshot s = Snapshots.mountReadOnly(f.store, List.of())) {
      try (var l = Files.list(s.root())) {
        assertEquals(0, l.count());
      }
    }
    Path dir = Files.createDirectories(tmp.resolve("context"));
    Files.writeString(dir.resolve("keep"), "original");
    try (Snapshot s = Snapshots.mountWritable(f.store, dir)) {
      Files.writeString(s.root().resolve("keep"), "changed");
      Files.writeString(s.root().resolve("new"), "new");
      assertEquals("changed", Files.readString(s.root().resolve("keep")));
    }
    assertEquals("original", Files.readString(dir.resolve("keep")));
    assertFalse(Files.exists(dir.resolve("new")));
  }

  @Test
  void sourceDateEpochMakesLayersReproducible() throws Exception {
    java.time.Instant epoch = java.time.Instant.parse("2020-02-02T00:00:00Z");
    RunRequest step =
        f.shell(busybox, "mkdir -p /d/e && echo x > /d/e/f && ln -s f /d/e/l && rm /etc/group")
            .withSourceDateEpoch(epoch);
    RunResult first = f.run(step);
    Thread.sleep(1100); // a second later: unclamped mtimes would differ
    RunResult second = f.run(step);
    Digest diffId = first.layer().orElseThrow().diffId();
    assertEquals(diffId, second.layer().orElseThrow().diffId());
    Path unpacked = f.store.layers().unpacked(diffId);
    for (String p : List.of("d", "d/e", "d/e/f")) {
      assertEquals(
          epoch, Files.getLastModifiedTime(unpacked.resolve(p)).toInstant(), "unpacked " + p);
    }
    assertEquals(
        List.of(
            "DIR d 0755 0:0",
            "DIR d/e 0755 0:0",
            "FILE d/e/f 0644 0:0 2",
            "SYMLINK d/e/l 0777 0:0 -> f",
            "DIR etc 0755 0:0",
            "FILE etc/.wh.group 0000 0:0"),
        LayerEntries.of(f.store, diffId));
  }

  @Test
  void expectStartsTheBuildNetworkAheadAndCloseStopsIt() throws Exception {
    // a store of its own: the shared fixture's runner may keep its network between tests
    try (RunnerFixture g = new RunnerFixture(tmp.resolve("expect-store"))) {
      List<Digest> base = g.busybox("busybox:latest", 1);
      long pid;
      Runner runner = Runner.create();
      try {
        runner.expect(g.store, Network.PRIVATE);
        // no step has run: the network comes up on its own (its run directory names slirp4netns)
        Path pidFile = null;
        for (int i = 0; i < 200 && pidFile == null; i++) {
          pidFile = slirpPidFile(g).orElse(null);
          if (pidFile == null) {
            Thread.sleep(50);
          }
        }
        assertTrue(pidFile != null, "expect() started no network");
        pid = Long.parseLong(Files.readString(pidFile).strip());
        RunResult r =
            runner.run(
                RunRequest.of(
                    g.store, base, List.of("/bin/sh", "-c", "cat /sys/class/net/tap0/mtu")));
        assertEquals(0, r.exitCode(), "the step runs on the network expect() started");
        assertEquals(Optional.of(pidFile), slirpPidFile(g), "the step joined it, no second one");
        runner.expect(g.store, Network.NONE); // nothing to start
      } finally {
        runner.close();
      }
      assertFalse(
          ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
          "close() stops the network expect() started");
      assertEquals(Optional.empty(), slirpPidFile(g));
    }
  }

  private static Optional<Path> slirpPidFile(RunnerFixture g) throws java.io.IOException {
    Path runs = g.store.root().resolve(dev.jbuild.runner.workspace.RunDir.RUNS);
    if (!java.nio.file.Files.isDirectory(runs)) {
      return Optional.empty();
    }
    try (var dirs = java.nio.file.Files.list(runs)) {
      return dirs.map(d -> d.resolve("slirp4netns.pid"))
          .filter(java.nio.file.Files::isRegularFile)
          .findFirst();
    }
  }

  @Test
  void parallelStepsAreIndependent() throws Exception {
    List<Thread> threads = new java.util.ArrayList<>();
    List<RunResult> results = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    List<Throwable> errors = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    for (int i = 0; i < 4; i++) {
      int n = i;
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      results.add(
                          f.runner.run(
                              RunRequest.of(
                                  f.store,
                                  busybox,
                                  List.of("/bin/sh", "-c", "echo " + n + " > /step" + n))));
                    } catch (Throwable t) {
                      errors.add(t);
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(List.of(), errors);
    java.util.Set<String> entries = new java.util.TreeSet<>();
    for (RunResult r : results) {
      entries.addAll(LayerEntries.names(f.store, r.layer().orElseThrow().blob().digest()));
    }
    assertEquals(java.util.Set.of("FILE step0", "FILE step1", "FILE step2", "FILE step3"), entries);
  }

  @Test
  void interruptingTheCallerKillsTheStep() throws Exception {
    java.util.concurrent.atomic.AtomicReference<Throwable> thrown =
        new java.util.concurrent.atomic.AtomicReference<>();
    Path marker = tmp.resolve("started");
    Thread t =
        Thread.ofVirtual()
            .start(
                () -> {
                  try {
                    f.runner.run(
                        RunRequest.of(
                                f.store,
                                busybox,
                                List.of("/bin/sh", "-c", "touch /m/started; exec sleep 30"))
                            .withMounts(List.of(RunMount.Bind.readWrite(tmp, "/m"))));
                  } catch (Throwable e) {
                    thrown.set(e);
                  }
                });
    for (int i = 0; i < 400 && !Files.exists(marker); i++) {
      Thread.sleep(25);
    }
    assertTrue(Files.exists(marker), "the step started");
    long start = System.nanoTime();
    t.interrupt();
    t.join(20_000);
    assertFalse(t.isAlive());
    assertTrue(thrown.get() instanceof InterruptedException, String.valueOf(thrown.get()));
    assertTrue(System.nanoTime() - start < 20_000_000_000L);
    assertEquals(List.of(), f.leftovers());
  }

  @Test
  void crunEitherRunsOrSaysWhyNot() throws Exception {
    // crun 1.8 cannot run on hosts with hybrid cgroups (this project's machines): the error must
    // name the runtime; where it can run, it must run the step like runc
    try {
      RunResult r = f.run(f.shell(busybox, "echo via crun").withRuntime(Path.of("crun")));
      assertEquals(0, r.exitCode());
      assertEquals(List.of("via crun"), f.lines());
    } catch (RunnerException e) {
      assertTrue(
          e.getMessage().startsWith("OCI runtime /usr/bin/crun cannot run containers here: "),
          e.getMessage());
      assertEquals(125, e.exitCode());
    }
  }

  @Test
  void runtimeErrorsNameTheRuntime() {
    RunnerException e =
        assertThrows(
            RunnerException.class,
            () -> f.run(f.shell(busybox, "true").withRuntime(Path.of("/nonexistent/crun"))));
    assertEquals(
        RunnerErrors.runtimeNotFound(Path.of("/nonexistent/crun")).getMessage(), e.getMessage());
  }
}
