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
    for (String n : List.of("srv", "early", "other", "quick", "asker")) {
      jbuild("rm", "-f", n);
    }
    jbuild("network", "rm", "appnet");
    jbuild("network", "rm", "dnsnet");
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

    // names come from the embedded DNS server at 127.0.0.11, not from /etc/hosts
    r = jbuild("exec", "srv", "cat", "/etc/resolv.conf", "/etc/hosts");
    assertTrue(r.out().contains("nameserver 127.0.0.11\n"), r.out());
    assertFalse(r.out().contains("early"), "no hosts lines for the network: " + r.out());
    assertFalse(Files.readString(srvHosts).contains("early"));
    r = jbuild("exec", "srv", "nslookup", "early", "127.0.0.11");
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(r.out().contains("Address: 172.18.0."), r.out());
    r = jbuild("exec", "early", "nslookup", "late-alias.appnet", "127.0.0.11");
    assertEquals(0, r.exit(), "NAME.NETWORK: " + r.out() + r.err());
    // a stopped container's name is no longer served
    assertEquals(0, jbuild("stop", "-t", "1", "early").exit());
    r = jbuild("exec", "srv", "nslookup", "early", "127.0.0.11");
    assertNotEquals(0, r.exit(), r.out());
    assertTrue(r.out().contains("NXDOMAIN"), r.out() + r.err());
    // started again, it is back on the network under its address, and resolves the others
    assertEquals(0, jbuild("start", "early").exit());
    r = jbuild("exec", "early", "wget", "-qO-", "http://srv/i");
    assertEquals(0, r.exit(), r.err());
    assertEquals("served-by-name\n", r.out());
    assertEquals(0, jbuild("exec", "srv", "nslookup", "early", "127.0.0.11").exit());

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

  @Test
  void theEmbeddedDnsForgetsExitedAndRemovedContainers() throws Exception {
    assertEquals(0, jbuild("network", "create", "dnsnet").exit());
    Result r =
        jbuild(
            "run",
            "-d",
            "--name",
            "quick",
            "--network",
            "dnsnet",
            "--network-alias",
            "q-alias",
            "busybox",
            "sh",
            "-c",
            "until [ -e /tmp/go ]; do sleep 0.1; done");
    assertEquals(0, r.exit(), r.err());
    r = jbuild("run", "-d", "--name", "asker", "--network", "dnsnet", "busybox", "sleep", "120");
    assertEquals(0, r.exit(), r.err());
    for (String name : List.of("quick", "q-alias", "quick.dnsnet")) {
      r = jbuild("exec", "asker", "nslookup", name, "127.0.0.11");
      assertEquals(0, r.exit(), name + ": " + r.out() + r.err());
      assertTrue(r.out().contains("Address: 172."), r.out());
    }
    // served by the foreground jbuild of an attached run too
    r = jbuild("run", "--rm", "--network", "dnsnet", "busybox", "nslookup", "asker", "127.0.0.11");
    assertEquals(0, r.exit(), r.out() + r.err());
    // a container that exits by itself is gone from the names at once
    assertEquals(0, jbuild("exec", "quick", "touch", "/tmp/go").exit());
    assertEquals("0\n", jbuild("wait", "quick").out());
    r = jbuild("exec", "asker", "nslookup", "quick", "127.0.0.11");
    assertNotEquals(0, r.exit(), r.out());
    assertTrue(r.out().contains("NXDOMAIN"), r.out() + r.err());
    assertEquals(0, jbuild("rm", "quick").exit());
    r = jbuild("exec", "asker", "nslookup", "q-alias", "127.0.0.11");
    assertTrue(r.out().contains("NXDOMAIN"), "removed: " + r.out() + r.err());
    assertEquals(0, jbuild("rm", "-f", "asker").exit());
    assertEquals(0, jbuild("network", "rm", "dnsnet").exit());
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
