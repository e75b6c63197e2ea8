package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's docker CLI against {@code jbuild serve}: run (attached, --rm, exit codes), run -d + logs
 * + exec + stop + rm, cp both ways (and symlinks planted in the container that point at the host),
 * volumes, networks (two containers reaching each other by name). The busybox test image is put in
 * the daemon's store before it starts.
 */
class ContainersDockerCliIT {
  @TempDir static Path tmp;
  static DaemonProcess daemon;
  static DockerCli docker;

  @BeforeAll
  static void start() throws IOException {
    try (Store s = Store.open(tmp.resolve("store"))) {
      TestImages.busybox(s, "busybox");
    }
    daemon = DaemonProcess.start(tmp);
    docker = new DockerCli(daemon, tmp);
  }

  @AfterAll
  static void stop() throws IOException {
    if (daemon != null) {
      // containers left by a failed test: removed, so their monitors end with the daemon's test
      DockerCli.Result ids = docker.run("ps", "-aq");
      for (String id : ids.out().lines().toList()) {
        docker.run("rm", "-f", id);
      }
      daemon.close();
    }
  }

  private static DockerCli.Result ok(String... args) throws IOException {
    DockerCli.Result r = docker.run(args);
    assertEquals(0, r.exit(), () -> "docker " + String.join(" ", args) + "\n" + r + "\n" + log());
    return r;
  }

  private static String log() {
    try {
      return daemon.log();
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Test
  void runRmPrintsTheOutputExactlyAndRemovesTheContainer() throws Exception {
    DockerCli.Result r = ok("run", "--rm", "--name", "rm-one", "busybox", "echo", "hi");
    assertEquals("hi\n", r.out());
    DockerCli.Result err = ok("run", "--rm", "busybox", "sh", "-c", "echo to-err >&2; echo out");
    assertEquals("out\n", err.out());
    assertTrue(err.err().contains("to-err\n"), err.toString());
    // the --rm container is gone once it exited (docker's removal comes after the exit code)
    String left = "?";
    for (int i = 0; i < 100 && !left.isEmpty(); i++) {
      left = docker.run("ps", "-aq", "--filter", "name=rm-one").out();
      Thread.sleep(50);
    }
    assertEquals("", left, log());
  }

  @Test
  void runPropagatesTheExitCode() throws IOException {
    DockerCli.Result r = docker.run("run", "--rm", "busybox", "sh", "-c", "exit 3");
    assertEquals(3, r.exit(), r.toString());
    DockerCli.Result kept = docker.run("run", "--name", "three", "busybox", "sh", "-c", "exit 3");
    assertEquals(3, kept.exit(), kept.toString());
    assertTrue(ok("ps", "-a", "--filter", "name=three").out().contains("Exited (3)"));
    ok("rm", "three");
  }

  @Test
  void anImageNotInTheStoreIsDockersNoSuchImage() throws IOException {
    DockerCli.Result r = docker.run("create", "--pull=never", "no-such-image:1");
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("No such image: no-such-image:1"), r.toString());
  }

  @Test
  void aFieldJbuildCannotHonourIsRefusedByName() throws IOException {
    DockerCli.Result r = docker.run("run", "--rm", "--privileged", "busybox", "true");
    assertNotEquals(0, r.exit());
    assertTrue(r.err().contains("Privileged"), r.toString());
    DockerCli.Result pid = docker.run("run", "--rm", "--pid", "host", "busybox", "true");
    assertNotEquals(0, pid.exit());
    assertTrue(pid.err().contains("HostConfig.PidMode"), pid.toString());
    DockerCli.Result cap = docker.run("run", "--rm", "--cap-add", "NO_SUCH_CAP", "busybox", "true");
    assertNotEquals(0, cap.exit());
    assertTrue(
        cap.err().contains("HostConfig.CapAdd: unknown capability: \"CAP_NO_SUCH_CAP\""),
        cap.toString());
  }

  @Test
  void capDropAllAndReadOnlyRoot() throws IOException {
    DockerCli.Result caps =
        ok("run", "--rm", "--cap-drop", "ALL", "busybox", "grep", "Cap", "/proc/self/status");
    assertTrue(caps.out().contains("CapEff:\t0000000000000000\n"), caps.out());
    assertTrue(caps.out().contains("CapBnd:\t0000000000000000\n"), caps.out());
    DockerCli.Result ro =
        ok(
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
    assertEquals("root-ro\nshm-ok\nin-tmpfs\n", ro.out());
  }

  @Test
  void stopSignalKillSignalAndTheirInspect() throws Exception {
    // the first USR1 (docker kill -s) is echoed; the second (docker stop, no -t: the container's
    // stop signal) ends it with 7; SIGTERM would not (sh as PID 1 ignores it) and SIGKILL is 137
    ok(
        "run",
        "-d",
        "--name",
        "usr1",
        "--stop-signal",
        "USR1",
        "--stop-timeout",
        "30",
        "--cap-add",
        "SYS_ADMIN",
        "--cap-drop",
        "chown",
        "--read-only",
        "busybox",
        "sh",
        "-c",
        "n=0; trap 'n=$((n+1)); echo got-usr1 $n; [ $n -ge 2 ] && exit 7' USR1;"
            + " echo ready; while :; do sleep 0.1; done");
    DockerCli.Result inspect =
        ok(
            "inspect",
            "-f",
            "{{json .HostConfig.CapAdd}} {{json .HostConfig.CapDrop}}"
                + " {{.HostConfig.ReadonlyRootfs}} {{.Config.StopSignal}} {{.Config.StopTimeout}}",
            "usr1");
    assertEquals("[\"CAP_SYS_ADMIN\"] [\"CAP_CHOWN\"] true USR1 30\n", inspect.out());
    awaitLog("usr1", "ready");
    ok("kill", "-s", "USR1", "usr1");
    awaitLog("usr1", "got-usr1 1");
    assertEquals("true\n", ok("inspect", "-f", "{{.State.Running}}", "usr1").out());
    ok("stop", "usr1");
    assertEquals("7\n", ok("inspect", "-f", "{{.State.ExitCode}}", "usr1").out(), log());
    assertTrue(ok("logs", "usr1").out().contains("got-usr1 2\n"));
    DockerCli.Result bad = docker.run("kill", "-s", "NOPE", "usr1");
    assertNotEquals(0, bad.exit());
    ok("rm", "usr1");
  }

  private static void awaitLog(String name, String text) throws Exception {
    String logs = "";
    for (int i = 0; i < 100 && !logs.contains(text); i++) {
      Thread.sleep(100);
      logs = ok("logs", name).out();
    }
    assertTrue(logs.contains(text), logs + "\n" + log());
  }

  @Test
  void detachedContainerLogsExecStopRm() throws Exception {
    String id =
        ok("run", "-d", "--name", "sleeper", "busybox", "sh", "-c", "echo started; exec sleep 300")
            .out()
            .strip();
    assertEquals(64, id.length(), id);
    String logs = "";
    for (int i = 0; i < 100 && !logs.contains("started"); i++) {
      Thread.sleep(100);
      logs = ok("logs", "sleeper").out();
    }
    assertEquals("started\n", logs);
    assertEquals("inside\n", ok("exec", "sleeper", "echo", "inside").out());
    assertEquals(7, docker.run("exec", "sleeper", "sh", "-c", "exit 7").exit());
    assertEquals("root\n", ok("exec", "-u", "0", "sleeper", "whoami").out());
    ok("exec", "-d", "sleeper", "sh", "-c", "echo detached > /tmp/x");
    String x = "";
    for (int i = 0; i < 50 && !x.equals("detached\n"); i++) {
      x = docker.run("exec", "sleeper", "cat", "/tmp/x").out();
      Thread.sleep(50);
    }
    assertEquals("detached\n", x);
    DockerCli.Result missing = docker.run("exec", "sleeper", "no-such-command");
    assertEquals(127, missing.exit(), missing.toString());
    assertTrue(ok("ps").out().contains("sleeper"));
    assertTrue(ok("inspect", "-f", "{{.State.Running}}", "sleeper").out().startsWith("true"));
    ok("stop", "-t", "1", "sleeper");
    assertTrue(ok("ps", "-a", "--filter", "name=sleeper").out().contains("Exited"));
    ok("rm", "sleeper");
    DockerCli.Result gone = docker.run("inspect", "sleeper");
    assertNotEquals(0, gone.exit());
  }

  @Test
  void logsUntilLeavesOutWhatCameAfter() throws Exception {
    String script = "echo early; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo late >&2";
    ok("run", "-d", "--name", "until", "busybox", "sh", "-c", script);
    try {
      String stamped = "";
      for (int i = 0; i < 100 && !stamped.contains("early"); i++) {
        Thread.sleep(100);
        stamped = ok("logs", "-t", "until").out();
      }
      // the entry's own time (RFC 3339 with nanoseconds): until is inclusive, as docker's
      String early = stamped.strip().split(" ")[0];
      // following a running container ends at once when until has passed
      assertEquals("early\n", ok("logs", "-f", "--until", early, "until").out());
      ok("exec", "until", "touch", "/tmp/go");
      assertEquals("0\n", ok("wait", "until").out());
      DockerCli.Result all = ok("logs", "until");
      assertEquals("early\n", all.out(), all.toString());
      assertEquals("late\n", all.err(), all.toString());
      DockerCli.Result upTo = ok("logs", "--until", early, "until");
      assertEquals("early\n", upTo.out(), upTo.toString());
      assertEquals("", upTo.err(), upTo.toString());
      // a relative duration: ten minutes ago, before anything was logged
      DockerCli.Result none = ok("logs", "--until", "10m", "until");
      assertEquals("", none.out() + none.err(), none.toString());
    } finally {
      docker.run("rm", "-f", "until");
    }
  }

  @Test
  void cpWithArchiveModeGivesTheFilesTheContainersUser() throws Exception {
    ok("run", "-d", "--name", "owned", "--user", "1234:2345", "busybox", "sleep", "300");
    try {
      Path file = Files.writeString(tmp.resolve("owned.txt"), "mine\n");
      Files.setAttribute(file, "unix:uid", 4321);
      Files.setAttribute(file, "unix:gid", 4321);
      // copyUIDGID=1: the container user's uid and gid, not the archive's
      ok("cp", "-a", file.toString(), "owned:/tmp/with-a.txt");
      assertEquals(
          "1234:2345\n", ok("exec", "owned", "stat", "-c", "%u:%g", "/tmp/with-a.txt").out());
      // without it the archive's owners stay
      ok("cp", file.toString(), "owned:/tmp/without-a.txt");
      assertEquals(
          "4321:4321\n", ok("exec", "owned", "stat", "-c", "%u:%g", "/tmp/without-a.txt").out());
      assertEquals("mine\n", ok("exec", "owned", "cat", "/tmp/with-a.txt").out());
    } finally {
      docker.run("rm", "-f", "owned");
    }
  }

  @Test
  void cpBothWaysAndPlantedSymlinksStayInsideTheContainer() throws Exception {
    ok("run", "-d", "--name", "files", "busybox", "sleep", "300");
    Path local = Files.writeString(tmp.resolve("to-container.txt"), "from the host\n");
    ok("cp", local.toString(), "files:/tmp/");
    assertEquals("from the host\n", ok("exec", "files", "cat", "/tmp/to-container.txt").out());

    ok("exec", "files", "sh", "-c", "mkdir -p /srv/d && echo made inside > /srv/d/f.txt");
    Path out = Files.createDirectories(tmp.resolve("out"));
    ok("cp", "files:/srv/d", out.toString());
    assertEquals("made inside\n", Files.readString(out.resolve("d/f.txt")));

    // a symlink in the container naming a host directory: resolved inside the container's root
    Path hostDir = Files.createDirectories(tmp.resolve("host-only"));
    Files.writeString(hostDir.resolve("secret.txt"), "host secret\n");
    ok("exec", "files", "ln", "-s", hostDir.toString(), "/tmp/escape");
    DockerCli.Result read =
        docker.run("cp", "files:/tmp/escape/secret.txt", out.resolve("stolen").toString());
    assertNotEquals(0, read.exit(), read.toString());
    assertFalse(Files.exists(out.resolve("stolen")));
    DockerCli.Result write = docker.run("cp", local.toString(), "files:/tmp/escape/");
    assertNotEquals(0, write.exit(), write.toString());
    assertEquals(List.of(hostDir.resolve("secret.txt")), Files.list(hostDir).toList());
    // one that leads to the container's own root: followed there
    ok("exec", "files", "ln", "-s", "/", "/tmp/root-link");
    ok("cp", local.toString(), "files:/tmp/root-link/srv/");
    assertEquals("from the host\n", ok("exec", "files", "cat", "/srv/to-container.txt").out());
    assertFalse(Files.exists(Path.of("/srv/to-container.txt")));
    // a stopped container: its overlay, both ways
    ok("kill", "files");
    ok("wait", "files"); // kill only sends the signal
    ok("cp", "files:/srv/to-container.txt", out.resolve("from-stopped.txt").toString());
    assertEquals("from the host\n", Files.readString(out.resolve("from-stopped.txt")));
    ok("cp", local.toString(), "files:/srv/d/");
    ok("start", "files");
    assertEquals("from the host\n", ok("exec", "files", "cat", "/srv/d/to-container.txt").out());
    ok("rm", "-f", "files");
  }

  @Test
  void volumesCreateListRemove() throws IOException {
    assertEquals("v-one\n", ok("volume", "create", "v-one").out());
    assertTrue(ok("volume", "ls", "-q").out().lines().toList().contains("v-one"));
    ok("run", "--rm", "-v", "v-one:/data", "busybox", "sh", "-c", "echo kept > /data/f");
    assertEquals(
        "kept\n", ok("run", "--rm", "-v", "v-one:/data", "busybox", "cat", "/data/f").out());
    assertEquals("v-one\n", ok("volume", "rm", "v-one").out());
    assertFalse(ok("volume", "ls", "-q").out().lines().toList().contains("v-one"));
  }

  @Test
  void networksAndTwoContainersReachingEachOtherByName() throws Exception {
    ok("network", "create", "net-a");
    String ls = ok("network", "ls", "--format", "{{.Name}} {{.Driver}}").out();
    for (String n : List.of("bridge bridge", "host host", "none null", "net-a bridge")) {
      assertTrue(ls.lines().toList().contains(n), ls);
    }
    ok(
        "run",
        "-d",
        "--name",
        "srv",
        "--network",
        "net-a",
        "busybox",
        "sh",
        "-c",
        "echo hello-from-srv > /tmp/index.html && exec httpd -f -p 8080 -h /tmp");
    String got = "";
    for (int i = 0; i < 20 && !got.equals("hello-from-srv\n"); i++) {
      DockerCli.Result r =
          docker.run(
              null,
              Duration.ofMinutes(1),
              "run",
              "--rm",
              "--network",
              "net-a",
              "busybox",
              "wget",
              "-qO-",
              "http://srv:8080/index.html");
      got = r.out();
      if (!got.equals("hello-from-srv\n")) {
        Thread.sleep(200);
      }
    }
    assertEquals("hello-from-srv\n", got);
    // one started on the default network, then connected with an alias
    ok(
        "run",
        "-d",
        "--name",
        "late",
        "busybox",
        "sh",
        "-c",
        "echo hello-from-late > /tmp/index.html && exec httpd -f -p 8080 -h /tmp");
    ok("network", "connect", "--alias", "late-alias", "net-a", "late");
    DockerCli.Result viaAlias =
        docker.run(
            null,
            Duration.ofMinutes(1),
            "run",
            "--rm",
            "--network",
            "net-a",
            "busybox",
            "wget",
            "-qO-",
            "http://late-alias:8080/index.html");
    assertEquals("hello-from-late\n", viaAlias.out(), viaAlias.toString());
    ok("network", "disconnect", "net-a", "late");
    ok("rm", "-f", "late");
    ok("rm", "-f", "srv");
    ok("network", "rm", "net-a");
    assertFalse(ok("network", "ls").out().contains("net-a"));
  }

  @Test
  void publishedPortServesOnLoopback() throws Exception {
    ok(
        "run",
        "-d",
        "--name",
        "web",
        "-p",
        "127.0.0.1::8080",
        "busybox",
        "sh",
        "-c",
        "echo hi-port > /tmp/index.html && exec httpd -f -p 8080 -h /tmp");
    try {
      String port = ok("port", "web", "8080/tcp").out().strip();
      assertTrue(port.startsWith("127.0.0.1:"), port);
      java.net.http.HttpClient http =
          java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String body = "";
      for (int i = 0; i < 50 && !body.equals("hi-port\n"); i++) {
        try {
          body =
              http.send(
                      java.net.http.HttpRequest.newBuilder(
                              java.net.URI.create("http://" + port + "/index.html"))
                          .timeout(Duration.ofSeconds(5))
                          .build(),
                      java.net.http.HttpResponse.BodyHandlers.ofString())
                  .body();
        } catch (IOException e) {
          Thread.sleep(100);
        }
      }
      assertEquals("hi-port\n", body);
    } finally {
      ok("rm", "-f", "web");
    }
  }

  @Test
  void eventsTellCreateStartDieAndDestroy() throws IOException {
    long since = System.currentTimeMillis() / 1000 - 1;
    DockerCli.Result r = docker.run("run", "--name", "ev", "busybox", "sh", "-c", "exit 4");
    assertEquals(4, r.exit(), r.toString());
    String id = ok("inspect", "-f", "{{.Id}}", "ev").out().strip();
    ok("rm", "ev");
    long until = System.currentTimeMillis() / 1000 + 2;
    List<String> actions =
        ok(
                "events",
                "--since",
                Long.toString(since),
                "--until",
                Long.toString(until),
                "--filter",
                "type=container",
                "--format",
                "{{.Actor.ID}} {{.Action}} {{index .Actor.Attributes \"exitCode\"}}")
            .out()
            .lines()
            .filter(l -> l.startsWith(id))
            .map(l -> l.substring(id.length() + 1).strip())
            .toList();
    assertEquals(List.of("create", "attach", "start", "die 4", "destroy"), actions, log());
  }

  @Test
  void pythonDockerRunsAndListsVolumes() throws IOException, InterruptedException {
    String script =
        String.join(
            "\n",
            "import docker",
            "c = docker.DockerClient(base_url='" + daemon.host() + "')",
            "out = c.containers.run('busybox', ['echo', 'hi from python'], remove=True)",
            "print(out.decode(), end='')",
            "c.volumes.create('py-vol')",
            "print(sorted(v.name for v in c.volumes.list() if v.name == 'py-vol'))",
            "c.volumes.get('py-vol').remove()");
    ProcessBuilder pb = new ProcessBuilder("python3", "-c", script).redirectErrorStream(true);
    pb.environment().put("DOCKER_HOST", daemon.host());
    pb.environment().put("HOME", tmp.toString());
    Process p = pb.start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), text + log());
    assertEquals("hi from python\n['py-vol']\n", text);
  }
}
