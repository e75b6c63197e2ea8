package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP server in process, on a real UNIX socket: hijack, half-close, streams, failures. */
class ApiServerTest {
  @TempDir Path tmp;
  private ApiServer server;
  private Path socket;
  private final ByteArrayOutputStream log = new ByteArrayOutputStream();

  @BeforeEach
  void start() throws IOException {
    Router router =
        new Router()
            .add(
                "POST",
                "/echo",
                call -> {
                  // attach-like: read until the client half-closes, echo, then close our side
                  try (RawStream raw = call.hijack("application/vnd.docker.raw-stream")) {
                    byte[] all = raw.in().readAllBytes();
                    raw.out().write(("echo:" + new String(all, StandardCharsets.UTF_8)).getBytes());
                    raw.closeWrite();
                  }
                })
            .add(
                "POST",
                "/later",
                call -> {
                  // the handler returns at once; another thread writes and closes later
                  RawStream raw = call.hijack("application/vnd.docker.raw-stream");
                  Thread.ofVirtual()
                      .start(
                          () -> {
                            try (raw) {
                              Thread.sleep(300);
                              raw.out().write("late bytes".getBytes());
                            } catch (IOException | InterruptedException e) {
                              throw new IllegalStateException(e);
                            }
                          });
                })
            .add(
                "GET",
                "/stream",
                call -> {
                  try (OutputStream out = call.stream(200, "application/json")) {
                    for (int i = 0; i < 3; i++) {
                      out.write(("{\"n\":" + i + "}\n").getBytes());
                      out.flush();
                    }
                  }
                })
            .add(
                "GET",
                "/boom",
                call -> {
                  throw new IllegalStateException("kaput");
                });
    server =
        new ApiServer(router, ApiServer.Limits.DEFAULT, new RequestLog(new PrintStream(log, true)));
    socket = tmp.resolve("t.sock");
    server.listen(Listeners.unix(socket, null));
  }

  @AfterEach
  void stop() {
    server.stop(1000);
  }

  private SocketChannel connect() throws IOException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    ch.connect(UnixDomainSocketAddress.of(socket));
    return ch;
  }

  private static void send(SocketChannel ch, String text) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  private static String readAll(SocketChannel ch) throws IOException {
    InputStream in = java.nio.channels.Channels.newInputStream(ch);
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void hijackUpgradesAndHalfClosesBothWays() throws IOException {
    try (SocketChannel ch = connect()) {
      send(
          ch,
          "POST /v1.41/echo HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n"
              + "hello raw");
      ch.shutdownOutput(); // the client is done sending; it still reads
      String answer = readAll(ch);
      assertTrue(answer.startsWith("HTTP/1.1 101 UPGRADED\r\n"), answer);
      assertTrue(answer.contains("Upgrade: tcp\r\n"), answer);
      assertTrue(answer.endsWith("\r\n\r\necho:hello raw"), answer);
    }
  }

  @Test
  void hijackWithoutUpgradeAnswers200Raw() throws IOException {
    try (SocketChannel ch = connect()) {
      send(ch, "POST /echo HTTP/1.1\r\nHost: d\r\n\r\nplain");
      ch.shutdownOutput();
      String answer = readAll(ch);
      assertTrue(answer.startsWith("HTTP/1.1 200 OK\r\n"), answer);
      assertTrue(answer.contains("Content-Type: application/vnd.docker.raw-stream"), answer);
      assertTrue(answer.endsWith("echo:plain"), answer);
    }
  }

  @Test
  void aHijackedStreamOutlivesItsHandlerUntilClosed() throws IOException {
    try (SocketChannel ch = connect()) {
      send(ch, "POST /later HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
      String answer = readAll(ch);
      assertTrue(answer.startsWith("HTTP/1.1 101 UPGRADED"), answer);
      assertTrue(answer.endsWith("\r\n\r\nlate bytes"), answer);
    }
  }

  @Test
  void aStreamIsChunked() throws IOException {
    ApiClient.Response r = new ApiClient(socket).get("/stream");
    assertEquals(200, r.status());
    assertEquals("chunked", r.header("Transfer-Encoding"));
    assertEquals("{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n", r.text());
  }

  @Test
  void aFailingHandlerGivesOneLineAndTheTraceGoesToTheLog() throws IOException {
    ApiClient.Response r = new ApiClient(socket).get("/boom");
    assertEquals(500, r.status());
    String message = Json.parseObject(r.text()).string("message");
    assertEquals("internal error: IllegalStateException: kaput", message);
    assertFalse(r.text().contains("at dev.jbuild"), r.text());
    String logged = log.toString(StandardCharsets.UTF_8);
    assertTrue(logged.contains("at dev.jbuild.serve.ApiServerTest"), logged);
    assertTrue(logged.contains("GET /boom 500 uid=0"), logged);
  }

  @Test
  void anotherMethodOnAKnownPathIs405() throws IOException {
    ApiClient.Response r =
        new ApiClient(socket).request("DELETE", "/stream", java.util.Map.of(), null);
    assertEquals(405, r.status());
  }
}
