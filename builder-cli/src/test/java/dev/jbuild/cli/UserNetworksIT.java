package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.cli.InProcessCli.Result;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.HostServer;
import dev.jbuild.testing.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jbuild network ...}: containers on one user network reach each other by name and alias
 * (busybox httpd and wget in real containers), over a bridge in the network's own namespace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserNetworksIT {
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
    }
  }

  @AfterAll
  void nothingLeft() throws Exception {
    for (String n : List.of("srv", "early", "other")) {
      jbuild("rm", "-f", n);
    }
    jbuild("network", "rm", "appnet");
    for (Path p : dev.jbuild.runner.Trees.mountsUnder(root)) {
      throw new AssertionError("still mounted: " + p);
    }
    assertEquals(List.of(), HostServer.awaitNoSlirp(root), "slirp4netns left running");
  }

  @Test
  void containersReachEachOtherByNameAndAlias() throws Exception {
    Result r = jbuild("network", "create", "--label", "team=a", "appnet");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().strip().matches("[0-9a-f]{64}"), r.out());
    r = jbuild("network", "create", "appnet");
    assertEquals(ExitCodes.FAILED, r.exit());
    assertTrue(r.err().contains("network with name appnet already exists"), r.err());
    assertEquals(ExitCodes.FAILED, jbuild("network", "create", "host").exit());
    r = jbuild("network", "ls");
    assertTrue(
        r.out().lines().anyMatch(l -> l.matches("[0-9a-f]{12} +appnet +bridge +local")), r.out());

    // a container that is there first learns of one that comes later
    r =
        jbuild(
            "run",
            "-d",
            "--name",
            "early",
            "--network",
            "appnet",
            "busybox",
            "sh",
            "-c",
            "until wget -qO- http://late-alias/i; do sleep 0.2; done; sleep 30");
    assertEquals(0, r.exit(), r.err());
    String early = r.out().strip();
    r =
        jbuild(
            "run",
            "-d",
            "--name",
            "srv",
            "--network",
            "appnet",
            "--network-alias",
            "late-alias",
            "busybox",
            "sh",
            "-c",
            "echo served-by-name > /i; exec httpd -f -p 80 -h /");
    assertEquals(0, r.exit(), r.err());
    Path srvHosts = root.resolve("containers").resolve(r.out().strip()).resolve("etc/hosts");

    r = fetchUntilOk("--network", "appnet", "busybox", "wget", "-qO-", "http://srv/i");
    assertEquals("served-by-name\n", r.out());
    r =
        jbuild(
            "run", "--rm", "--network", "appnet", "busybox", "wget", "-qO-", "http://late-alias/i");
    assertEquals(0, r.exit(), r.err());
    assertEquals("served-by-name\n", r.out());
    // the early container's output, from its json-file log
    String logs = jbuild("logs", early).out();
    for (int i = 0; i < 30 && !logs.contains("served-by-name"); i++) {
      Thread.sleep(200);
      logs = jbuild("logs", early).out();
    }
    assertTrue(logs.contains("served-by-name"), logs);

    // the default network has no such names, and no way onto the bridge
    r =
        jbuild(
            "run",
            "--rm",
            "busybox",
            "sh",
            "-c",
            "wget -qO- -T 2 http://srv/i || echo unreachable");
    assertTrue(r.out().contains("unreachable"), r.out());

    r = jbuild("network", "inspect", "appnet");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("\"Subnet\": \"172.18.0.0/16\""), r.out());
    assertTrue(r.out().contains("\"Name\": \"srv\""), r.out());
    assertTrue(r.out().contains("\"team\": \"a\""), r.out());

    // connect and disconnect a running container
    r =
        jbuild(
            "run",
            "-d",
            "--name",
            "other",
            "busybox",
            "sh",
            "-c",
            "echo other-body > /o; exec httpd -f -p 80 -h /");
    assertEquals(0, r.exit(), r.err());
    assertEquals(0, jbuild("network", "connect", "--alias", "oth", "appnet", "other").exit());
    r = fetchUntilOk("--network", "appnet", "busybox", "wget", "-qO-", "http://oth/o");
    assertEquals("other-body\n", r.out());
    r = jbuild("network", "disconnect", "appnet", "other");
    assertEquals(0, r.exit(), r.err());
    r =
        jbuild(
            "run",
            "--rm",
            "--network",
            "appnet",
            "busybox",
            "sh",
            "-c",
            "wget -qO- -T 2 http://oth/o || echo gone");
    assertTrue(r.out().contains("gone"), r.out());

    // a stopped container's name leaves the others' hosts files
    assertTrue(Files.readString(srvHosts).contains("\tearly "), Files.readString(srvHosts));
    assertEquals(0, jbuild("stop", "-t", "1", "early").exit());
    assertFalse(Files.readString(srvHosts).contains("\tearly "), "srv's own hosts file");
    r = jbuild("run", "--rm", "--network", "appnet", "busybox", "cat", "/etc/hosts");
    assertTrue(r.out().contains("\tsrv late-alias "), r.out());
    assertFalse(r.out().contains("\tearly "), r.out());

    r = jbuild("network", "rm", "appnet");
    assertEquals(ExitCodes.FAILED, r.exit());
    assertTrue(r.err().contains("has active endpoints"), r.err());
    assertEquals(0, jbuild("rm", "-f", "srv", "early", "other").exit());
    Path netns = root.resolve("networks/appnet/netns");
    assertTrue(Files.exists(netns), "the network's own namespace");
    r = jbuild("network", "rm", "appnet");
    assertEquals(0, r.exit(), r.err());
    assertFalse(Files.exists(netns));
    assertNotEquals(0, jbuild("run", "--rm", "--network", "appnet", "busybox", "true").exit());

    assertEquals(0, jbuild("network", "create", "spare").exit());
    r = jbuild("network", "prune", "-f");
    assertEquals("Deleted Networks:\nspare\n", r.out());
  }

  private Result fetchUntilOk(String... args) throws InterruptedException {
    Result r = null;
    for (int i = 0; i < 50; i++) {
      String[] full = new String[args.length + 2];
      full[0] = "run";
      full[1] = "--rm";
      System.arraycopy(args, 0, full, 2, args.length);
      r = jbuild(full);
      if (r.exit() == 0) {
        return r;
      }
      Thread.sleep(200);
    }
    Result diag =
        jbuild(
            "run",
            "--rm",
            "--network",
            "appnet",
            "busybox",
            "sh",
            "-c",
            "cat /etc/hosts; ip -4 addr; ip route; wget -qO- -T 2 http://srv/i");
    assertEquals(0, r.exit(), r.err() + r.out() + " / " + diag.out() + diag.err());
    return r;
  }
}
