package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.cli.InProcessCli.Result;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.HostServer;
import dev.jbuild.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code jbuild run/ps/stop/rm} through the command line (root, runc and overlayfs needed). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunCommandIT {
  @TempDir static Path tmp;
  Path root;

  Result jbuild(String... args) {
    return InProcessCli.run(root, args);
  }

  /** The command line of a separate jbuild process on this store ({@link ProcessMain}). */
  List<String> jbuildProcess(String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                ProcessMain.class.getName(),
                "--root",
                root.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  @BeforeAll
  void images() throws Exception {
    root = tmp.resolve("store");
    try (Store s = Store.open(root)) {
      TestImages.busybox(s, "busybox");
      TestImages.busybox(
          s,
          "app:1",
          TestImages.Options.defaults()
              .withConfig(
                  c ->
                      c.withEntrypoint(List.of("/bin/sh", "-c"))
                          .withCmd(List.of("echo hello from $GREETING; pwd; id -u"))
                          .withEnv("GREETING", "app")
                          .withWorkingDir("/srv")
                          .withUser("nobody")));
    }
  }

  @AfterAll
  void nothingLeftMounted() throws Exception {
    jbuild("rm", "-f", "web");
    for (Path p : dev.jbuild.runner.Trees.mountsUnder(root)) {
      throw new AssertionError("still mounted: " + p);
    }
  }

  @Test
  void outputAndExitCodeOfTheContainer() {
    Result r = jbuild("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3");
    assertEquals(3, r.exit(), r.err());
    assertEquals("out\n", r.out());
    assertEquals("err\n", r.err());
  }

  @Test
  void imageConfigAndOverrides() {
    Result r = jbuild("run", "--rm", "app:1");
    assertEquals(0, r.exit(), r.err());
    assertEquals("hello from app\n/srv\n65534\n", r.out());

    r =
        jbuild(
            "run",
            "--rm",
            "-e",
            "GREETING=cli",
            "-w",
            "/tmp",
            "-u",
            "0",
            "app:1",
            "echo $GREETING $HOSTNAME; pwd; id -u");
    assertEquals(0, r.exit(), r.err());
    String[] lines = r.out().split("\n");
    assertTrue(lines[0].startsWith("cli "), r.out());
    assertEquals(12, lines[0].length() - "cli ".length(), "hostname = short id: " + r.out());
    assertEquals("/tmp", lines[1]);
    assertEquals("0", lines[2]);

    r = jbuild("run", "--rm", "--entrypoint", "/bin/echo", "--hostname", "h", "app:1", "-n", "x");
    assertEquals(0, r.exit(), r.err());
    assertEquals("x", r.out());
  }

  @Test
  void volumesEnvFilesAndNetwork() throws Exception {
    Path host = Files.createDirectories(tmp.resolve("vol"));
    Files.writeString(host.resolve("in"), "from host\n");
    Path envFile = Files.writeString(tmp.resolve("env"), "# comment\nA=1\n\nB=two words\n");
    Result r =
        jbuild(
            "run",
            "--rm",
            "--network",
            "none",
            "-v",
            host + ":/data:ro",
            "--env-file",
            envFile.toString(),
            "busybox",
            "sh",
            "-c",
            "cat /data/in; echo $A $B; ls /sys/class/net; touch /data/x 2>/dev/null || echo ro");
    assertEquals(0, r.exit(), r.err());
    assertEquals("from host\n1 two words\nlo\nro\n", r.out());
  }

  @Test
  void stdinWithDashIAndBytesToTheRealStdout() throws Exception {
    // a separate jbuild process with a file as stdin: -i passes it to the container, and the
    // container writes straight to jbuild's stdout (picocli's default writers)
    Path in = Files.writeString(tmp.resolve("stdin"), "hello\n");
    Process p =
        new ProcessBuilder(
                jbuildProcess(
                    "run", "--rm", "-i", "busybox", "sh", "-c", "wc -c; printf '\\377\\000'"))
            .redirectInput(in.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor());
    assertEquals("6\n\377\000", new String(out, java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  @Test
  void sigtermIsForwardedToTheContainer() throws Exception {
    Process p =
        new ProcessBuilder(
                jbuildProcess(
                    "run",
                    "--rm",
                    "busybox",
                    "sh",
                    "-c",
                    "trap 'echo got TERM; exit 42' TERM; echo ready; while :; do sleep 0.1; done"))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    java.io.BufferedReader out =
        new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
    assertEquals("ready", out.readLine());
    p.toHandle().destroy(); // SIGTERM to jbuild (streams stay open), forwarded to the container
    assertEquals("got TERM", out.readLine());
    assertTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(42, p.exitValue());
  }

  @Test
  void ttyWithDashT() throws Exception {
    // script(1) gives jbuild a terminal; with -t the container gets its own pseudo-terminal
    String cmd =
        String.join(
            " ",
            jbuildProcess(
                "run", "--rm", "-t", "busybox", "sh", "-c", "'tty; echo term=$TERM; exit 4'"));
    Process p =
        new ProcessBuilder("script", "-q", "-e", "-c", cmd, "/dev/null")
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(4, p.waitFor(), out);
    assertTrue(out.contains("/dev/pts/0\r\n"), out);
    assertTrue(out.contains("term=xterm\r\n"), out);
  }

  @Test
  void errorsAreOneLine() {
    Result r = jbuild("run", "--rm", "nosuchimage");
    assertEquals(ExitCodes.NOT_FOUND, r.exit());
    assertEquals("jbuild: no such image: nosuchimage\n", r.err());

    r = jbuild("run", "--rm", "busybox", "nosuchcommand");
    assertEquals(127, r.exit());
    assertEquals(
        "jbuild: runc: unable to start container process: exec: \"nosuchcommand\": executable file"
            + " not found in $PATH\n",
        r.err());

    r = jbuild("run", "--rm", "-u", "ghost", "busybox", "true");
    assertEquals(125, r.exit());
    assertEquals(
        "jbuild: unable to find user ghost: no matching entries in passwd file\n", r.err());

    r = jbuild("run", "-d", "-t", "busybox", "sh");
    assertEquals(ExitCodes.USAGE, r.exit());
    assertTrue(r.err().startsWith("jbuild: -t cannot be combined with -d"), r.err());

    // a relative name is a volume (docker's rule); ./x is neither a volume name nor absolute
    r = jbuild("run", "--rm", "-v", "./relative:/x", "busybox", "true");
    assertEquals(ExitCodes.USAGE, r.exit());
    assertTrue(r.err().contains("neither an absolute host path nor a volume name"), r.err());
    r = jbuild("run", "--rm", "-v", "data:relative", "busybox", "true");
    assertEquals(ExitCodes.USAGE, r.exit());
    assertTrue(r.err().contains("must be absolute"), r.err());

    r = jbuild("run", "--rm", "--runtime", "/nonexistent/crun", "busybox", "true");
    assertEquals(125, r.exit());
    assertTrue(r.err().contains("/nonexistent/crun"), r.err());
  }

  @Test
  void detachedContainersPsStopRm() throws Exception {
    Result r = jbuild("run", "-d", "--name", "web", "busybox", "sh", "-c", "echo up; sleep 30");
    assertEquals(0, r.exit(), r.err());
    String id = r.out().strip();
    assertEquals(64, id.length(), r.out());

    r = jbuild("ps");
    assertEquals(0, r.exit(), r.err());
    String[] lines = r.out().split("\n");
    assertTrue(
        lines[0].matches("CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES"), r.out());
    String row =
        java.util.Arrays.stream(lines).filter(l -> l.endsWith(" web")).findFirst().orElseThrow();
    List<String> cells = List.of(row.split(" {3,}"));
    assertEquals(id.substring(0, 12), cells.get(0), r.out());
    assertEquals("busybox", cells.get(1), r.out());
    assertEquals("\"sh -c echo up; slee…\"", cells.get(2), r.out());
    assertTrue(cells.get(4).startsWith("Up "), r.out());

    r = jbuild("run", "-d", "--name", "web", "busybox", "true");
    assertEquals(125, r.exit());
    assertTrue(r.err().contains("\"web\" is already in use"), r.err());

    r = jbuild("rm", "web");
    assertEquals(ExitCodes.FAILED, r.exit());
    assertTrue(r.err().contains("container is running"), r.err());

    r = jbuild("stop", "-t", "1", "web");
    assertEquals(0, r.exit(), r.err());
    assertEquals("web\n", r.out());
    r = jbuild("ps");
    assertFalse(r.out().contains(" web\n"), "not running any more: " + r.out());
    r = jbuild("ps", "-a");
    assertTrue(r.out().contains("Exited (143)") || r.out().contains("Exited (137)"), r.out());
    assertEquals("up\n", jbuild("logs", "web").out());

    r = jbuild("rm", id.substring(0, 8));
    assertEquals(0, r.exit(), r.err());
    assertFalse(Files.exists(root.resolve("containers").resolve(id)));
    assertFalse(jbuild("ps", "-a").out().contains(id.substring(0, 12)));
  }

  @Test
  void keptAndRemovedForegroundContainers() {
    Result r = jbuild("run", "--name", "kept", "busybox", "sh", "-c", "exit 5");
    assertEquals(5, r.exit());
    r = jbuild("ps", "-a", "--no-trunc");
    assertTrue(r.out().contains("Exited (5)") && r.out().contains("kept"), r.out());
    assertEquals(0, jbuild("rm", "kept").exit());
    r = jbuild("rm", "kept");
    assertEquals(ExitCodes.FAILED, r.exit());
    assertEquals("jbuild: no such container: kept\n", r.err());
  }

  @Test
  void dockersSeccompProfileAndPrivateNetworkByDefault() throws Exception {
    String escape =
        "mkdir -p /mnt; unshare -U -r -m sh -c 'mount -t tmpfs t /mnt && echo MOUNTED';"
            + " grep Seccomp: /proc/self/status; ";
    List<Long> before = HostServer.slirpProcesses(root); // other tests' detached containers
    try (HostServer server = new HostServer()) {
      Result r = jbuild("run", "--rm", "busybox", "sh", "-c", escape + server.probeScript());
      assertEquals(0, r.exit(), r.err());
      assertFalse(r.out().contains("MOUNTED"), r.out());
      assertTrue(r.out().contains("Seccomp:\t2\n"), r.out());
      assertFalse(r.out().lines().anyMatch(l -> l.endsWith(" ok")), "reached: " + r.out());
      assertTrue(r.out().contains("127.0.0.1 refused"), r.out());

      r =
          jbuild(
              "run",
              "--rm",
              "--security-opt",
              "seccomp=unconfined",
              "--network",
              "host",
              "busybox",
              "sh",
              "-c",
              escape + server.fetch("127.0.0.1"));
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().contains("MOUNTED"), "no filter: " + r.out());
      assertTrue(r.out().contains("Seccomp:\t0\n"), r.out());
      assertTrue(r.out().contains(HostServer.BODY), "host network: " + r.out());

      // a profile file in Docker's format: everything allowed but mkdir
      Path profile =
          Files.writeString(
              tmp.resolve("profile.json"),
              "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\","
                  + "\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\"}]}");
      r =
          jbuild(
              "run",
              "--rm",
              "--security-opt",
              "seccomp=" + profile,
              "busybox",
              "sh",
              "-c",
              "mkdir /x || echo denied");
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.out().contains("denied"), r.out());
      r = jbuild("run", "--rm", "--security-opt", "apparmor=x", "busybox", "true");
      assertEquals(2, r.exit());
      r =
          jbuild(
              "run", "--rm", "--security-opt", "seccomp=" + tmp.resolve("nope"), "busybox", "true");
      assertEquals(2, r.exit());
      assertTrue(r.err().contains("nope"), r.err());
    }
    List<Long> after = new java.util.ArrayList<>(HostServer.slirpProcesses(root));
    after.removeAll(before);
    assertEquals(List.of(), after, "the attached containers' slirp4netns left running");
  }

  @Test
  void aDetachedContainersNetworkEndsWithIt() throws Exception {
    Result r = jbuild("run", "-d", "--rm", "busybox", "sh", "-c", "ip -4 addr show tap0; sleep 1");
    assertEquals(0, r.exit(), r.err());
    String id = r.out().strip();
    Path cdir = root.resolve("containers").resolve(id);
    assertEquals(1, HostServer.slirpProcesses(cdir).size(), "its network stack runs");
    for (int i = 0; i < 200 && jbuild("ps", "-a", "-q", "--no-trunc").out().contains(id); i++) {
      Thread.sleep(50);
    }
    assertEquals(List.of(), HostServer.awaitNoSlirp(cdir), "stopped by the monitor");
    for (Path p : dev.jbuild.runner.Trees.mountsUnder(cdir)) {
      throw new AssertionError("still mounted: " + p);
    }
  }
}
