package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.runner.testing.RunnerFixture;
import dev.jbuild.testing.HostServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * RUN isolation as Docker's (issue 10, finding 7): Docker's seccomp profile and a private network
 * namespace by default, the host's loopback services out of reach. Root, runc, slirp4netns.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IsolationIT {
  @TempDir static Path tmp;
  RunnerFixture f;
  List<Digest> busybox;
  HostServer server;

  @BeforeAll
  void setUp() throws Exception {
    f = new RunnerFixture(tmp.resolve("store"));
    busybox = f.busybox("busybox:latest", 1);
    server = new HostServer();
  }

  @AfterAll
  void tearDown() throws Exception {
    server.close();
    assertEquals(List.of(), f.leftovers());
    assertEquals(List.of(), HostServer.awaitNoSlirp(f.root), "slirp4netns left running");
    f.close();
  }

  @Test
  void seccompDeniesNamespacesAndMountsWhileOrdinaryCommandsWork() throws Exception {
    RunResult r =
        f.run(
            f.shell(
                busybox,
                "mkdir -p /mnt; unshare -U -r -m sh -c 'mount -t tmpfs t /mnt && echo MOUNTED';"
                    + " echo rc=$?;"
                    + " unshare -U -r true; echo userns=$?;"
                    + " grep Seccomp: /proc/self/status;"
                    + " mkdir -p /w && cd /w && echo data > f && tar czf /t.tgz f && gunzip -c"
                    + " /t.tgz | tar t && sha256sum f | cut -c1-8 && chown 1:1 f && chmod 4755 f"
                    + " && ls -n f | cut -c1-10"));
    assertEquals(0, r.exitCode(), f.lines().toString());
    List<String> out = f.lines();
    assertFalse(out.contains("MOUNTED"), "a user namespace let the step mount: " + out);
    assertTrue(out.contains("rc=1"), out.toString());
    assertTrue(out.contains("userns=1"), out.toString());
    assertTrue(
        out.stream().anyMatch(l -> l.contains("unshare") && l.contains("Operation not permitted")),
        out.toString());
    assertTrue(out.contains("Seccomp:\t2"), "filter mode: " + out);
    assertTrue(out.contains("f"), out.toString());
    assertTrue(out.contains("6667b2d1"), out.toString()); // sha256 of "data\n"
    assertTrue(out.contains("-rwsr-xr-x"), out.toString());
  }

  @Test
  void theHostsLoopbackIsOutOfReachOfADefaultStep() throws Exception {
    RunResult r = f.run(f.shell(busybox, server.probeScript()));
    assertEquals(0, r.exitCode(), f.lines().toString());
    List<String> reached = f.lines().stream().filter(l -> l.endsWith(" ok")).toList();
    assertEquals(List.of(), reached, "a default RUN reached the host's 127.0.0.1 server");
    assertEquals(HostServer.hostAddresses().size(), f.lines().size(), f.lines().toString());
  }

  @Test
  void hostNetworkReachesItAndNoneHasNoRoute() throws Exception {
    f.run(f.shell(busybox, server.fetch("127.0.0.1")).withNetwork(Network.HOST));
    assertEquals(List.of(HostServer.BODY), f.lines());

    RunResult none =
        f.run(
            f.shell(
                    busybox,
                    "cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d ' ' | tr '\\n' ,; echo;"
                        + " ip route; "
                        + server.fetch("10.0.2.2")
                        + " || echo unreachable")
                .withNetwork(Network.NONE));
    assertEquals(0, none.exitCode());
    assertEquals(
        List.of("lo,", "unreachable"),
        f.lines().stream().filter(l -> !l.startsWith("E ")).toList());
  }

  @Test
  void aDefaultStepHasOutboundAccessAndDns() throws Exception {
    RunResult r =
        f.run(
            f.shell(
                busybox,
                "ip -4 addr show tap0 | grep -o 'inet [0-9.]*'; ip route | grep default;"
                    + " grep nameserver /etc/resolv.conf | grep -c 127.;"
                    // busybox's static wget cannot resolve names (no NSS): its nslookup can
                    + " ip=$(nslookup deb.debian.org | awk '/^Address: / {a=$2} END {print a}');"
                    // (busybox's static wget crashes in this image: an HTTP GET by hand, the
                    // request side kept open a while, as a half-close makes proxies give up)
                    + " (printf 'GET /debian/dists/bookworm/Release HTTP/1.1\\r\\nHost:"
                    + " deb.debian.org\\r\\nConnection: close\\r\\n\\r\\n'; sleep 3)"
                    + " | nc -w 20 $ip 80 > /Release;"
                    + " grep -m1 '^Origin:' /Release"));
    List<String> out = f.lines();
    assertTrue(out.contains("inet 10.0.2.100"), out.toString());
    assertTrue(out.stream().anyMatch(l -> l.startsWith("default via 10.0.2.2")), out.toString());
    assertTrue(out.contains("0"), "no loopback resolver in the step: " + out);
    assertTrue(out.contains("Origin: Debian"), "Debian's mirror through slirp4netns: " + out);
    assertEquals(0, r.exitCode(), out.toString());
  }

  @Test
  void aFailedStepLeavesNoNetworkBehind() throws Exception {
    RunResult r = f.run(f.shell(busybox, "echo x > /y; exit 3"));
    assertEquals(3, r.exitCode());
    // the steps of a build share one network: one stack, stopped when the build (runner) ends
    assertEquals(1, HostServer.slirpProcesses(f.root).size());
    assertEquals(List.of(), f.leftovers()); // closes the runner
    assertEquals(List.of(), HostServer.awaitNoSlirp(f.root));
  }
}
