package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.cli.InProcessCli.Result;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.HostServer;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A container's network: its own namespace by default, --dns/--add-host/--hostname, --network
 * container:ID, published ports fetched from 127.0.0.1 (busybox httpd in real containers), and what
 * a SIGKILLed jbuild leaves. Traffic goes only to 127.0.0.1 and the containers' namespaces.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ContainerNetworkIT {
  /** busybox httpd serving {@code body} on port 80 of the container. */
  static final String SERVE =
      "mkdir -p /www && echo \"$BODY\" > /www/index.html && exec httpd -f -p 80 -h /www";

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
          "web",
          TestImages.Options.defaults()
              .withConfig(
                  c ->
                      c.withExposedPort("80/tcp")
                          .withEntrypoint(List.of("/bin/sh", "-c"))
                          .withCmd(List.of(SERVE))
                          .withEnv("BODY", "exposed")));
    }
  }

  @AfterAll
  void nothingLeft() throws Exception {
    for (String n : List.of("pub", "rnd", "all", "shared")) {
      jbuild("rm", "-f", n);
    }
    for (Path p : dev.jbuild.runner.Trees.mountsUnder(root)) {
      throw new AssertionError("still mounted: " + p);
    }
    assertEquals(List.of(), HostServer.awaitNoSlirp(root), "slirp4netns left running");
  }

  @Test
  void ownNamespaceWithDnsHostsAndHostname() {
    Result r =
        jbuild(
            "run",
            "--rm",
            "--hostname",
            "box",
            "--dns",
            "10.0.2.3",
            "--dns",
            "192.0.2.53",
            "--add-host",
            "db.internal:192.0.2.10",
            "--add-host",
            "gw:host-gateway",
            "busybox",
            "sh",
            "-c",
            "hostname; ip -4 -o addr show tap0 | grep -o 'inet [0-9.]*'; grep nameserver"
                + " /etc/resolv.conf; grep -E 'db.internal|gw' /etc/hosts");
    assertEquals(0, r.exit(), r.err());
    assertEquals(
        "box\ninet 10.0.2.100\nnameserver 10.0.2.3\nnameserver 192.0.2.53\n"
            + "192.0.2.10\tdb.internal\n10.0.2.2\tgw\n",
        r.out());
    assertEquals(ExitCodes.USAGE, jbuild("run", "--rm", "--dns", "dns.example", "busybox").exit());
    assertEquals(ExitCodes.USAGE, jbuild("run", "--rm", "--add-host", "x", "busybox").exit());
  }

  @Test
  void publishedPortsAreFetchedFrom127001() throws Exception {
    int port = freePort();
    Result r =
        jbuild(
            "run",
            "-d",
            "--name",
            "pub",
            "-e",
            "BODY=published",
            "-p",
            "127.0.0.1:" + port + ":80",
            "busybox",
            "sh",
            "-c",
            SERVE);
    assertEquals(0, r.exit(), r.err());
    assertEquals("published\n", fetch(port));
    r = jbuild("port", "pub");
    assertEquals("80/tcp -> 127.0.0.1:" + port + "\n", r.out());
    assertTrue(psRow("pub").contains("   127.0.0.1:" + port + "->80/tcp   "), psRow("pub"));

    // stopped, the forward ends; started again, the same port is published again
    assertEquals(0, jbuild("stop", "-t", "1", "pub").exit());
    assertTrue(refused(port), "no forward while stopped");
    assertFalse(psRow("pub").contains("->80/tcp"), psRow("pub"));
    r = jbuild("start", "pub");
    assertEquals(0, r.exit(), r.err());
    assertEquals("published\n", fetch(port));
    assertTrue(psRow("pub").contains("127.0.0.1:" + port + "->80/tcp"), psRow("pub"));

    // the port is taken now: a second container cannot have it
    r = jbuild("run", "--rm", "-p", "127.0.0.1:" + port + ":80", "busybox", "true");
    assertEquals(125, r.exit());
    assertTrue(r.err().contains("cannot publish port 127.0.0.1:" + port + ":80/tcp"), r.err());

    // -p IP::CTRPORT: a free host port, shown by jbuild port
    r =
        jbuild(
            "run",
            "-d",
            "--name",
            "rnd",
            "-e",
            "BODY=random",
            "-p",
            "127.0.0.1::80",
            "busybox",
            "sh",
            "-c",
            SERVE);
    assertEquals(0, r.exit(), r.err());
    r = jbuild("port", "rnd", "80/tcp");
    assertTrue(r.out().matches("127\\.0\\.0\\.1:\\d+\n"), r.out());
    int random = Integer.parseInt(r.out().strip().substring("127.0.0.1:".length()));
    assertEquals("random\n", fetch(random));
    assertEquals(ExitCodes.FAILED, jbuild("port", "rnd", "81").exit());

    // -P: the image's EXPOSE 80/tcp on a free port (of every address), fetched on 127.0.0.1
    r = jbuild("run", "-d", "--name", "all", "-P", "web");
    assertEquals(0, r.exit(), r.err());
    r = jbuild("port", "all");
    assertTrue(r.out().matches("80/tcp -> 0\\.0\\.0\\.0:\\d+\n"), r.out());
    int exposed = Integer.parseInt(r.out().strip().replaceFirst(".*:", ""));
    assertEquals("exposed\n", fetch(exposed));

    // stopping the container ends its forward
    assertEquals(0, jbuild("rm", "-f", "pub").exit());
    assertTrue(refused(port), "the forward ended with the container");
    assertEquals(0, jbuild("rm", "-f", "rnd", "all").exit());

    r = jbuild("run", "--rm", "-p", "80", "--network", "host", "busybox", "true");
    assertEquals(125, r.exit());
    assertTrue(r.err().contains("port publishing needs the container's own network"), r.err());
    assertEquals(ExitCodes.USAGE, jbuild("run", "--rm", "-p", "1-5:80", "busybox", "true").exit());
    assertEquals(ExitCodes.USAGE, jbuild("run", "--rm", "-p", "80/sctp", "busybox", "true").exit());
  }

  @Test
  void networkOfAnotherContainer() throws Exception {
    Result r =
        jbuild(
            "run",
            "-d",
            "--name",
            "shared",
            "busybox",
            "sh",
            "-c",
            "echo inside > /i; exec httpd -f -p 8080 -h /");
    assertEquals(0, r.exit(), r.err());
    r = null;
    for (int i = 0; i < 100; i++) {
      r =
          jbuild(
              "run",
              "--rm",
              "--network",
              "container:shared",
              "busybox",
              "wget",
              "-qO-",
              "http://127.0.0.1:8080/i");
      if (r.exit() == 0) {
        break;
      }
      Thread.sleep(100);
    }
    assertEquals(0, r.exit(), r.err());
    assertEquals("inside\n", r.out());
    assertEquals(0, jbuild("stop", "-t", "1", "shared").exit());
    r = jbuild("run", "--rm", "--network", "container:shared", "busybox", "true");
    assertEquals(125, r.exit());
    assertTrue(r.err().contains("it is not running"), r.err());
    assertEquals(0, jbuild("rm", "shared").exit());
  }

  @Test
  void aKilledJbuildLeavesNoForwardNamespaceOrMount() throws Exception {
    int port = freePort();
    Process p =
        new ProcessBuilder(
                jbuildProcess(
                    "run",
                    "--name",
                    "killed",
                    "-e",
                    "BODY=killme",
                    "-p",
                    "127.0.0.1:" + port + ":80",
                    "busybox",
                    "sh",
                    "-c",
                    SERVE))
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertEquals("killme\n", fetch(port));
    p.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook runs
    p.waitFor();
    // slirp4netns sees its exit fd close and ends: the forward goes with it
    assertEquals(List.of(), HostServer.awaitNoSlirp(root.resolve("containers")), "slirp4netns");
    assertTrue(refused(port), "nothing accepts on the port any more");
    // the next command cleans the dead container's mounts and namespace
    assertEquals(0, jbuild("ps", "-a").exit());
    Path cdir = root.resolve("containers");
    for (Path m : dev.jbuild.runner.Trees.mountsUnder(cdir)) {
      throw new AssertionError("still mounted: " + m);
    }
    assertEquals(0, jbuild("rm", "-f", "killed").exit());
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

  private String psRow(String name) {
    return jbuild("ps", "-a")
        .out()
        .lines()
        .filter(l -> l.endsWith(" " + name))
        .findFirst()
        .orElse("");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s.getLocalPort();
    }
  }

  /** GET / from 127.0.0.1:port, retried while the server starts (at most ~20 s). */
  static String fetch(int port) throws Exception {
    IOException last = null;
    for (int i = 0; i < 200; i++) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        s.setSoTimeout(5000);
        OutputStream out = s.getOutputStream();
        out.write("GET / HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        String resp = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        int body = resp.indexOf("\r\n\r\n");
        if (resp.startsWith("HTTP/1.") && body > 0) {
          return resp.substring(body + 4);
        }
        last = new IOException("answer: " + resp);
      } catch (IOException e) {
        last = e;
      }
      Thread.sleep(100);
    }
    throw last;
  }

  /** Whether connections to 127.0.0.1:port are refused (or closed at once), within ~10 s. */
  static boolean refused(int port) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
        s.setSoTimeout(2000);
        s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        if (s.getInputStream().read() < 0) {
          return true; // accepted by nothing behind it
        }
      } catch (IOException e) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }
}
