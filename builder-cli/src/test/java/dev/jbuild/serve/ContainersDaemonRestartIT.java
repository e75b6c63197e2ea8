package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containers outlive the daemon: a SIGKILLed daemon's containers run on under their monitors, the
 * next daemon on the store finds them, and a --rm container that exited meanwhile is removed by it.
 * Archives with hostile entries are refused without writing outside the container.
 */
class ContainersDaemonRestartIT {
  @TempDir Path tmp;

  private DaemonProcess start() throws IOException {
    return DaemonProcess.start(tmp.resolve("store"), tmp.resolve("d.sock"), tmp.resolve("d.log"));
  }

  private static DockerCli.Result ok(DockerCli docker, DaemonProcess d, String... args)
      throws IOException {
    DockerCli.Result r = docker.run(args);
    assertEquals(0, r.exit(), () -> "docker " + String.join(" ", args) + "\n" + r + "\n" + log(d));
    return r;
  }

  private static String log(DaemonProcess d) {
    try {
      return d.log();
    } catch (IOException e) {
      return "";
    }
  }

  @Test
  void aRestartedDaemonFindsItsContainersAndRemovesWhatExitedWithRm() throws Exception {
    try (Store s = Store.open(tmp.resolve("store"))) {
      TestImages.busybox(s, "busybox");
    }
    DaemonProcess first = start();
    DockerCli docker = new DockerCli(first, tmp);
    String id;
    try {
      id =
          ok(
                  docker,
                  first,
                  "run",
                  "-d",
                  "--name",
                  "keeps",
                  "--stop-signal",
                  "USR1",
                  "--stop-timeout",
                  "1",
                  "--cap-drop",
                  "ALL",
                  "--read-only",
                  "busybox",
                  "sleep",
                  "300")
              .out()
              .strip();
      ok(docker, first, "run", "-d", "--rm", "--name", "short", "busybox", "sh", "-c", "sleep 2");
      ok(docker, first, "run", "-d", "--name", "labelled", "--label", "team=a", "busybox", "true");
    } finally {
      first.kill();
    }
    Thread.sleep(3000); // "short" exits while no daemon runs
    try (DaemonProcess second = start()) {
      try {
        restarted(docker, second, id);
      } finally {
        removeAll(docker);
      }
    }
  }

  @Test
  void aContainerOfThePreviousDaemonDiesWithAnEventAndItsWaitReturns() throws Exception {
    try (Store s = Store.open(tmp.resolve("store"))) {
      TestImages.busybox(s, "busybox");
    }
    DaemonProcess first = start();
    DockerCli docker = new DockerCli(first, tmp);
    String script = "while [ ! -e /tmp/go ]; do sleep 0.1; done; exit 7";
    String id;
    try {
      id =
          ok(docker, first, "run", "-d", "--name", "outlives", "busybox", "sh", "-c", script).out();
    } finally {
      first.kill();
    }
    String cid = id.strip();
    try (DaemonProcess second = start()) {
      try {
        long since = System.currentTimeMillis() / 1000 - 1;
        Path waited = tmp.resolve("wait.out");
        Process waiting = docker.startTo(null, waited, "wait", "outlives");
        // most likely waiting while the container still runs (if not, it answers at once)
        Thread.sleep(500);
        ok(docker, second, "exec", "outlives", "touch", "/tmp/go");
        assertTrue(
            waiting.waitFor(60, java.util.concurrent.TimeUnit.SECONDS),
            "docker wait did not return: " + log(second));
        assertEquals(0, waiting.exitValue(), log(second));
        assertEquals("7\n", Files.readString(waited), log(second));
        long until = System.currentTimeMillis() / 1000 + 2;
        java.util.List<String> actions =
            ok(
                    docker,
                    second,
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
                .filter(l -> l.startsWith(cid))
                .map(l -> l.substring(cid.length() + 1).strip())
                .filter(a -> a.startsWith("die"))
                .toList();
        assertEquals(java.util.List.of("die 7"), actions, log(second));
      } finally {
        removeAll(docker);
      }
    }
  }

  private static void restarted(DockerCli docker, DaemonProcess second, String id)
      throws Exception {
    {
      assertEquals(
          "true\n", ok(docker, second, "inspect", "-f", "{{.State.Running}}", "keeps").out());
      assertEquals("inside\n", ok(docker, second, "exec", "keeps", "echo", "inside").out());
      String left = "?";
      for (int i = 0; i < 100 && !left.isEmpty(); i++) {
        left = docker.run("ps", "-aq", "--filter", "name=short").out();
        Thread.sleep(50);
      }
      assertEquals("", left, log(second));
      assertEquals(
          "labelled\n",
          ok(docker, second, "ps", "-a", "--filter", "label=team=a", "--format", "{{.Names}}")
              .out());
      // the container's settings are the next daemon's too: its stop signal (sleep as PID 1
      // ignores USR1) and its stop timeout, used by a stop without -t, end it with SIGKILL
      assertEquals(
          "USR1 1 [\"ALL\"] true\n",
          ok(
                  docker,
                  second,
                  "inspect",
                  "-f",
                  "{{.Config.StopSignal}} {{.Config.StopTimeout}} {{json .HostConfig.CapDrop}}"
                      + " {{.HostConfig.ReadonlyRootfs}}",
                  "keeps")
              .out());
      ok(docker, second, "stop", id);
      assertEquals(
          "137\n", ok(docker, second, "inspect", "-f", "{{.State.ExitCode}}", "keeps").out());
      ok(docker, second, "rm", "keeps", "labelled");
    }
  }

  @Test
  void hostileArchiveEntriesAreRefusedAndNothingIsWrittenOutside() throws Exception {
    try (Store s = Store.open(tmp.resolve("store"))) {
      TestImages.busybox(s, "busybox");
    }
    Path hostDir = Files.createDirectories(tmp.resolve("host-only"));
    try (DaemonProcess d = start()) {
      DockerCli docker = new DockerCli(d, tmp);
      try {
        hostile(d, docker, hostDir);
      } finally {
        removeAll(docker);
      }
    }
  }

  /** Every container of the daemon removed (also after a failed assertion: no monitor stays). */
  private static void removeAll(DockerCli docker) throws IOException {
    for (String id : docker.run("ps", "-aq").out().lines().toList()) {
      docker.run("rm", "-f", id);
    }
  }

  private static void hostile(DaemonProcess d, DockerCli docker, Path hostDir) throws Exception {
    {
      ok(docker, d, "run", "-d", "--name", "box", "busybox", "sleep", "300");
      // a symlink to a host directory, then a file "through" it
      ApiClient.Response viaLink =
          put(
              d,
              "/containers/box/archive?path=/tmp",
              tar(symlink("evil", hostDir.toString()), file("evil/pwned.txt")));
      assertEquals(400, viaLink.status(), viaLink.text());
      assertTrue(viaLink.text().contains("evil is a symlink"), viaLink.text());
      assertFalse(Files.exists(hostDir.resolve("pwned.txt")));
      // a name that climbs out
      ApiClient.Response climbing =
          put(d, "/containers/box/archive?path=/tmp", tar(file("../../../../pwned2.txt")));
      assertEquals(400, climbing.status(), climbing.text());
      assertFalse(Files.exists(Path.of("/pwned2.txt")));
      // the stat header of a symlink: its target inside the container
      ok(docker, d, "exec", "box", "ln", "-s", "/etc", "/tmp/etc-link");
      ApiClient.Response head =
          d.client().request("HEAD", "/containers/box/archive?path=/tmp/etc-link", Map.of(), null);
      assertEquals(200, head.status());
      JsonObject stat =
          Json.parseObject(
              new String(
                  Base64.getDecoder().decode(head.header("X-Docker-Container-Path-Stat")),
                  StandardCharsets.UTF_8));
      assertEquals("etc-link", stat.string("name"));
      assertEquals("/etc", stat.string("linkTarget"));
      assertEquals(1L << 27, stat.longValue("mode") & (1L << 27));
      ok(docker, d, "rm", "-f", "box");
    }
  }

  private static ApiClient.Response put(DaemonProcess d, String path, byte[] body)
      throws IOException {
    return d.client().request("PUT", path, Map.of("Content-Type", "application/x-tar"), body);
  }

  private static TarArchiveEntry symlink(String name, String target) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
    e.setLinkName(target);
    return e;
  }

  private static TarArchiveEntry file(String name) {
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setSize(6);
    e.setMode(0100644);
    return e;
  }

  private static byte[] tar(TarArchiveEntry... entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
      for (TarArchiveEntry e : entries) {
        t.putArchiveEntry(e);
        if (e.getSize() > 0) {
          t.write("pwned\n".getBytes(StandardCharsets.UTF_8));
        }
        t.closeArchiveEntry();
      }
    }
    return out.toByteArray();
  }
}
