package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.cli.InProcessCli.Result;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.TestImages;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code jbuild exec}, {@code top} and {@code inspect} of a running container (real runc). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerExecIT {
  @TempDir static Path tmp;
  Path root;

  Result jbuild(String... args) {
    return InProcessCli.run(root, args);
  }

  @BeforeAll
  void start() throws Exception {
    root = tmp.resolve("store");
    try (Store s = Store.open(root)) {
      TestImages.busybox(s, "busybox");
    }
    Result r =
        jbuild(
            "run", "-d", "--name", "box", "--restart", "on-failure:5", "busybox", "sleep", "300");
    assertEquals(0, r.exit(), r.err());
  }

  @AfterAll
  void remove() throws Exception {
    jbuild("rm", "-f", "box");
    for (Path p : dev.jbuild.runner.Trees.mountsUnder(root)) {
      throw new AssertionError("still mounted: " + p);
    }
  }

  @Test
  void execRunsInTheContainersNamespaces() {
    Result r =
        jbuild(
            "exec",
            "box",
            "sh",
            "-c",
            "cat /proc/1/cmdline | tr '\\0' ' '; echo; [ $(readlink /proc/1/ns/pid) = $(readlink"
                + " /proc/self/ns/pid) ] && echo same-pid-ns; hostname");
    assertEquals(0, r.exit(), r.err());
    String[] lines = r.out().split("\n");
    assertEquals("sleep 300 ", lines[0], "its PID 1 is the container's command");
    assertEquals("same-pid-ns", lines[1]);
    assertEquals(12, lines[2].length(), "the container's hostname: " + r.out());
  }

  @Test
  void execOptionsAndExitCodes() throws Exception {
    Result r =
        jbuild(
            "exec",
            "-u",
            "nobody",
            "-w",
            "/tmp",
            "-e",
            "X=1",
            "box",
            "sh",
            "-c",
            "id -u; pwd; echo $X");
    assertEquals(0, r.exit(), r.err());
    assertEquals("65534\n/tmp\n1\n", r.out());
    assertEquals(7, jbuild("exec", "box", "sh", "-c", "exit 7").exit());
    r = jbuild("exec", "box", "nosuchcommand");
    assertEquals(127, r.exit());
    assertTrue(r.err().contains("nosuchcommand"), r.err());
    r = jbuild("exec", "-u", "ghost", "box", "true");
    assertEquals(125, r.exit());
    assertEquals(0, jbuild("exec", "-d", "box", "sh", "-c", "echo bg > /tmp/bg").exit());
    for (int i = 0; i < 100 && !jbuild("exec", "box", "cat", "/tmp/bg").out().equals("bg\n"); i++) {
      Thread.sleep(50);
    }
    assertEquals("bg\n", jbuild("exec", "box", "cat", "/tmp/bg").out(), "exec -d ran");
  }

  @Test
  void execDetachedProcessesAreTheMonitorsChildrenAndReaped() throws Exception {
    Result r = jbuild("container", "inspect", "box");
    String id =
        ((JsonObject)
                ((dev.jbuild.layercache.json.JsonArray) Json.parse(r.out())).elements().getFirst())
            .string("Id");
    String monitor =
        java.nio.file.Files.readString(root.resolve("containers").resolve(id).resolve("owner"))
            .strip()
            .split("\\s+")[0];
    assertEquals(0, jbuild("exec", "-d", "box", "sleep", "271").exit());
    long pid = -1;
    for (int i = 0; i < 100 && pid < 0; i++) {
      pid = hostPidOf("sleep\0" + "271\0");
      Thread.sleep(50);
    }
    assertTrue(pid > 0, "the detached process runs");
    assertEquals(
        monitor, statusField(pid, "PPid"), "adopted by the container's monitor, not by init");
    assertTrue(ProcessHandle.of(pid).orElseThrow().destroy(), "SIGTERM to the process");
    boolean gone = false;
    for (int i = 0; i < 100 && !gone; i++) {
      gone = !java.nio.file.Files.exists(Path.of("/proc", Long.toString(pid)));
      Thread.sleep(50);
    }
    assertTrue(gone, "reaped, no zombie left: " + statusField(pid, "State"));
  }

  private static long hostPidOf(String cmdline) throws java.io.IOException {
    try (var ds = java.nio.file.Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : ds) {
        try {
          String c =
              new String(
                  java.nio.file.Files.readAllBytes(p.resolve("cmdline")),
                  java.nio.charset.StandardCharsets.UTF_8);
          if (c.equals(cmdline)) {
            return Long.parseLong(p.getFileName().toString());
          }
        } catch (java.io.IOException e) {
          // gone
        }
      }
    }
    return -1;
  }

  private static String statusField(long pid, String field) {
    try {
      for (String l : java.nio.file.Files.readAllLines(Path.of("/proc", pid + "", "status"))) {
        if (l.startsWith(field + ":")) {
          return l.substring(field.length() + 1).strip();
        }
      }
    } catch (java.io.IOException e) {
      return "gone";
    }
    return "?";
  }

  @Test
  void topListsTheContainersProcesses() {
    Result r = jbuild("top", "box");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().startsWith("UID "), r.out());
    assertTrue(r.out().contains("sleep 300"), r.out());
    assertEquals(
        1, r.out().lines().filter(l -> l.contains("sleep 300")).count(), "its process: " + r.out());
  }

  @Test
  void inspectInDockersShape() {
    Result r = jbuild("container", "inspect", "box");
    assertEquals(0, r.exit(), r.err());
    JsonObject c =
        (JsonObject)
            ((dev.jbuild.layercache.json.JsonArray) Json.parse(r.out())).elements().getFirst();
    assertEquals("/box", c.string("Name"));
    assertEquals("sleep", c.string("Path"));
    assertEquals("running", c.object("State").string("Status"));
    assertTrue(c.object("State").longValue("Pid") > 0);
    assertEquals("on-failure", c.object("HostConfig").object("RestartPolicy").string("Name"));
    assertEquals(5L, c.object("HostConfig").object("RestartPolicy").longValue("MaximumRetryCount"));
    assertEquals("json-file", c.object("HostConfig").object("LogConfig").string("Type"));
    assertEquals("10.0.2.100", c.object("NetworkSettings").string("IPAddress"));
    assertTrue(c.string("LogPath").endsWith(c.string("Id") + "-json.log"));
    r = jbuild("inspect", "-f", "{{.State.Status}} {{.RestartCount}}", "box");
    assertEquals("running 0\n", r.out());
    r = jbuild("inspect", "--type", "container", "busybox");
    assertEquals(ExitCodes.NOT_FOUND, r.exit());
  }
}
