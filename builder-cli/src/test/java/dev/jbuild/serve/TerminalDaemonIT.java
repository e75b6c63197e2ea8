package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containers and execs with a terminal through {@code jbuild serve}: Debian's docker CLI under
 * util-linux {@code script} (which gives it the terminal {@code -t} needs) for {@code run -it} and
 * {@code exec -it}, and the API directly (create with Tty, attach: raw output, input to the pty,
 * resize).
 */
@org.junit.jupiter.api.Timeout(300)
class TerminalDaemonIT {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);

  /**
   * Waits (bounded, in the container) until its pty has a size, then shows it: runc in the
   * foreground gives the container's pty its size only once the process started, and the docker CLI
   * resizes only after its start (it sends no ConsoleSize at API 1.41); busybox's {@code stty size}
   * fails on 0x0.
   */
  private static final String SIZE_ONCE_RESIZED =
      "i=0; until stty size 2>/dev/null | grep -q '^[1-9]'; do [ \\$i -ge 100 ] && break;"
          + " sleep 0.1; i=\\$((i+1)); done; stty size";

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
      DockerCli.Result ids = docker.run("ps", "-aq");
      for (String id : ids.out().lines().toList()) {
        docker.run("rm", "-f", id);
      }
      daemon.close();
    }
  }

  private static String log() {
    try {
      return daemon.log();
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Test
  void runItGivesTheContainerAPtyOfTheClientsSize() throws IOException {
    DockerCli.Result r =
        docker.script(
            "stty rows 33 cols 101; docker run -it --rm busybox sh -c \"tty; "
                + SIZE_ONCE_RESIZED
                + "\"",
            null,
            TIMEOUT);
    assertEquals(0, r.exit(), r + "\n" + log());
    assertTrue(r.out().matches("(?s).*/dev/pts/\\d+\\r?\\n.*"), r.toString());
    assertTrue(r.out().contains("33 101"), r + "\n" + log());
  }

  @Test
  void runItTypesTheInputIntoTheShellAndReturnsItsExitCode() throws IOException {
    DockerCli.Result r =
        docker.script("docker run -it --rm busybox sh", "echo hi\nexit 3\n", TIMEOUT);
    assertEquals(3, r.exit(), r + "\n" + log());
    // the shell's output: "hi" on a line of its own (the typed line is echoed as "echo hi")
    assertTrue(r.out().matches("(?s).*(^|\\n)hi\\r?\\n.*"), r.toString());
  }

  @Test
  void execItRunsOnAPtyInARunningContainer() throws IOException {
    DockerCli.Result started =
        docker.run("run", "-d", "--name", "tty-exec", "busybox", "sleep", "300");
    assertEquals(0, started.exit(), started + "\n" + log());
    try {
      DockerCli.Result r =
          docker.script(
              "stty rows 27 cols 91; docker exec -it tty-exec sh -c \"tty; "
                  + SIZE_ONCE_RESIZED
                  + "\"",
              null,
              TIMEOUT);
      assertEquals(0, r.exit(), r + "\n" + log());
      assertTrue(r.out().matches("(?s).*/dev/pts/\\d+\\r?\\n.*"), r.toString());
      assertTrue(r.out().contains("27 91"), r + "\n" + log());
      DockerCli.Result typed =
          docker.script("docker exec -it tty-exec sh", "echo hi-exec\nexit 4\n", TIMEOUT);
      assertEquals(4, typed.exit(), typed + "\n" + log());
      assertTrue(typed.out().matches("(?s).*(^|\\n)hi-exec\\r?\\n.*"), typed.toString());
    } finally {
      docker.run("rm", "-f", "tty-exec");
    }
  }

  @Test
  void apiAttachIsRawTakesInputAndResizeSetsThePtySize() throws Exception {
    ApiClient api = daemon.client();
    String body =
        "{\"Image\":\"busybox\",\"Cmd\":[\"sh\"],\"Tty\":true,\"OpenStdin\":true,"
            + "\"AttachStdin\":true,\"AttachStdout\":true,\"AttachStderr\":true,"
            + "\"HostConfig\":{\"ConsoleSize\":[20,70]}}";
    ApiClient.Response created =
        api.post("/containers/create", "application/json", body.getBytes(StandardCharsets.UTF_8));
    assertEquals(201, created.status(), created.text());
    Matcher m = Pattern.compile("\"Id\":\"([0-9a-f]{64})\"").matcher(created.text());
    assertTrue(m.find(), created.text());
    String id = m.group(1);
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(daemon.socket()));
      write(
          ch,
          "POST /containers/"
              + id
              + "/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: jbuild\r\n"
              + "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n");
      String head = readHead(ch);
      assertTrue(head.startsWith("HTTP/1.1 101"), head);
      assertEquals(
          204, api.post("/containers/" + id + "/start", "application/json", new byte[0]).status());
      // the size of the create call first
      write(ch, "stty size\n");
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      readUntil(ch, seen, "20 70");
      ApiClient.Response resized =
          api.post("/containers/" + id + "/resize?h=41&w=123", "application/json", new byte[0]);
      assertEquals(200, resized.status(), resized.text());
      write(ch, "stty size; exit 5\n");
      readToEnd(ch, seen);
      String out = seen.toString(StandardCharsets.UTF_8);
      assertTrue(out.contains("41 123\r\n"), out);
      // raw: no multiplexing header (a frame starts with 1 or 2 and three zero bytes)
      byte[] bytes = seen.toByteArray();
      assertTrue(bytes.length > 8 && !(bytes[1] == 0 && bytes[2] == 0 && bytes[3] == 0), out);
    }
    ApiClient.Response waited =
        api.post("/containers/" + id + "/wait", "application/json", new byte[0]);
    assertTrue(waited.text().contains("\"StatusCode\":5"), waited.text());
    // a terminal's log is raw too, and docker logs shows it
    ApiClient.Response logs = api.get("/containers/" + id + "/logs?stdout=1&stderr=1");
    assertTrue(logs.text().contains("41 123"), logs.text());
    assertTrue(
        api.get("/containers/" + id + "/json").text().contains("\"Tty\":true"), "inspect Tty");
    api.request("DELETE", "/containers/" + id + "?force=1", java.util.Map.of(), null);
  }

  /** Without the daemon, {@code jbuild run -it} still lets runc own the caller's terminal. */
  @Test
  void daemonlessRunItStillUsesTheCallersTerminal() throws IOException {
    Path store = tmp.resolve("own-store");
    try (Store s = Store.open(store)) {
      TestImages.busybox(s, "busybox");
    }
    String jbuild = dev.jbuild.testing.AsUser.launcher() + " --root " + store;
    DockerCli.Result r =
        docker.script(
            "stty rows 29 cols 97; "
                + jbuild
                + " run -it --rm busybox sh -c \"tty; "
                + SIZE_ONCE_RESIZED
                + "\"",
            null,
            TIMEOUT);
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().matches("(?s).*/dev/pts/\\d+\\r?\\n.*"), r.toString());
    assertTrue(r.out().contains("29 97"), r.toString());
    DockerCli.Result typed =
        docker.script(jbuild + " run -it --rm busybox sh", "echo hi\nexit 3\n", TIMEOUT);
    assertEquals(3, typed.exit(), typed.toString());
  }

  @Test
  void theEndOfTheClientsInputOrTheDetachKeysEndTheAttachNotTheContainer() throws Exception {
    ApiClient api = daemon.client();
    String body =
        "{\"Image\":\"busybox\",\"Cmd\":[\"sh\"],\"Tty\":true,\"OpenStdin\":true,"
            + "\"StdinOnce\":true,\"AttachStdin\":true,\"AttachStdout\":true}";
    ApiClient.Response created =
        api.post("/containers/create", "application/json", body.getBytes(StandardCharsets.UTF_8));
    assertEquals(201, created.status(), created.text());
    Matcher m = Pattern.compile("\"Id\":\"([0-9a-f]{64})\"").matcher(created.text());
    assertTrue(m.find(), created.text());
    String id = m.group(1);
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(daemon.socket()));
      write(
          ch,
          "POST /containers/"
              + id
              + "/attach?stream=1&stdin=1&stdout=1 HTTP/1.1\r\nHost: jbuild\r\n"
              + "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n");
      assertTrue(readHead(ch).startsWith("HTTP/1.1 101"));
      assertEquals(
          204, api.post("/containers/" + id + "/start", "application/json", new byte[0]).status());
      write(ch, "echo fi\"rst\"\n");
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      readUntil(ch, seen, "first\r\n");
      ch.shutdownOutput();
      readToEnd(ch, seen); // ends: docker closes a TTY attach's output when its stdin ends
    }
    String inspect = api.get("/containers/" + id + "/json").text();
    assertTrue(inspect.contains("\"Running\":true"), inspect);
    // attached again: the detach keys end the attach (and are not typed), the container goes on
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(daemon.socket()));
      write(
          ch,
          "POST /containers/"
              + id
              + "/attach?stream=1&stdin=1&stdout=1&detachKeys=ctrl-a,x HTTP/1.1\r\n"
              + "Host: jbuild\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
              + "Content-Length: 0\r\n\r\n");
      assertTrue(readHead(ch).startsWith("HTTP/1.1 101"));
      write(ch, "echo sec\"ond\"\n");
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      readUntil(ch, seen, "second\r\n");
      write(ch, "\u0001x");
      readToEnd(ch, seen); // ends while the client's input is still open
    }
    inspect = api.get("/containers/" + id + "/json").text();
    assertTrue(inspect.contains("\"Running\":true"), inspect);
    assertEquals(
        204,
        api.request("DELETE", "/containers/" + id + "?force=1", java.util.Map.of(), null).status());
  }

  private static void write(SocketChannel ch, String s) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  private static String readHead(SocketChannel ch) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    ByteBuffer one = ByteBuffer.allocate(1);
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      one.clear();
      if (ch.read(one) < 0) {
        break;
      }
      head.write(one.get(0));
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static void readUntil(SocketChannel ch, ByteArrayOutputStream seen, String text)
      throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4096);
    while (!seen.toString(StandardCharsets.UTF_8).contains(text)) {
      b.clear();
      int n = ch.read(b);
      if (n < 0) {
        throw new IOException("ended before \"" + text + "\": " + seen);
      }
      seen.write(b.array(), 0, n);
    }
  }

  private static void readToEnd(SocketChannel ch, ByteArrayOutputStream seen) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(4096);
    int n;
    while ((n = ch.read(b)) >= 0) {
      seen.write(b.array(), 0, n);
      b.clear();
    }
  }
}
