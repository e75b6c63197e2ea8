package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon's HTTP server through its UNIX socket: ping, versions, errors, bounds, the log. */
class ServeHttpIT {
  @TempDir static Path tmp;
  static DaemonProcess daemon;

  @BeforeAll
  static void start() throws IOException {
    daemon = DaemonProcess.start(tmp);
  }

  @AfterAll
  static void stop() {
    if (daemon != null) {
      daemon.close();
    }
  }

  @Test
  void pingAnswersOkWithDockersHeaders() throws IOException {
    ApiClient.Response r = daemon.client().get("/_ping");
    assertEquals(200, r.status());
    assertEquals("OK", r.text());
    assertEquals("1.41", r.header("Api-Version"));
    assertEquals("false", r.header("Docker-Experimental"));
    assertEquals("linux", r.header("Ostype"));
    assertEquals("1", r.header("Builder-Version"));
    ApiClient.Response head = daemon.client().request("HEAD", "/_ping", Map.of(), null);
    assertEquals(200, head.status());
    assertEquals("1.41", head.header("Api-Version"));
  }

  @Test
  void versionPrefixIsStrippedAndCheckedAsDockerdDoes() throws IOException {
    ApiClient.Response r = daemon.client().get("/v1.41/version");
    assertEquals(200, r.status(), r.text());
    JsonObject v = Json.parseObject(r.text());
    assertEquals("1.41", v.string("ApiVersion"));
    assertEquals("1.24", v.string("MinAPIVersion"));
    assertEquals("linux", v.string("Os"));

    ApiClient.Response tooNew = daemon.client().get("/v1.99/version");
    assertEquals(400, tooNew.status());
    assertEquals(
        "client version 1.99 is too new. Maximum supported API version is 1.41",
        Json.parseObject(tooNew.text()).string("message"));
    ApiClient.Response tooOld = daemon.client().get("/v1.12/info");
    assertEquals(400, tooOld.status());
    assertEquals(
        "client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade"
            + " your client to a newer version",
        Json.parseObject(tooOld.text()).string("message"));
  }

  @Test
  void unknownEndpointIsDockersNotFoundJson() throws IOException {
    ApiClient.Response r = daemon.client().get("/v1.41/no/such/thing");
    assertEquals(404, r.status());
    assertEquals("application/json", r.header("Content-Type"));
    assertEquals("page not found", Json.parseObject(r.text()).string("message"));
  }

  @Test
  void oversizedHeadIsRefusedAndTheDaemonLives() throws IOException {
    String big = "x".repeat(70 * 1024);
    ApiClient.Response r = daemon.client().request("GET", "/_ping", Map.of("X-Big", big), null);
    assertEquals(431, r.status());
    StringBuilder many = new StringBuilder("GET /_ping HTTP/1.1\r\nHost: d\r\n");
    for (int i = 0; i < 300; i++) {
      many.append("X-H").append(i).append(": v\r\n");
    }
    many.append("\r\n");
    ApiClient.Response r2 =
        daemon.client().raw(many.toString().getBytes(StandardCharsets.US_ASCII));
    assertEquals(431, r2.status());
    assertEquals(200, daemon.client().get("/_ping").status());
  }

  @Test
  void oneConnectionServesSeveralRequests() throws IOException {
    String two =
        "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n"
            + "GET /v1.41/_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n";
    ApiClient.Response r = daemon.client().raw(two.getBytes(StandardCharsets.US_ASCII));
    String all = r.text();
    assertEquals(200, r.status());
    assertTrue(all.contains("HTTP/1.1 200 OK"), all); // the second answer follows the first
  }

  @Test
  void chunkedRequestBodyIsRead() throws IOException {
    // a chunked body on a route that takes none: read and dropped, the connection kept
    String req =
        "POST /v1.41/no/such HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n0\r\n\r\n"
            + "GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n";
    ApiClient.Response r = daemon.client().raw(req.getBytes(StandardCharsets.US_ASCII));
    assertEquals(404, r.status());
    assertTrue(r.text().contains("HTTP/1.1 200 OK"), r.text());
  }

  @Test
  void everyRequestIsLoggedWithItsClient() throws IOException {
    daemon.client().get("/v1.41/info?probe=logged");
    String log = daemon.awaitLog("GET /v1.41/info?probe=logged 200 uid=0 ");
    assertTrue(log.contains("GET /v1.41/info?probe=logged 200 uid=0 "), log);
  }

  @Test
  void dockerVersionTalksToTheDaemon() throws IOException {
    DockerCli docker = new DockerCli(daemon, tmp);
    DockerCli.Result r = docker.run("version", "--format", "{{.Server.APIVersion}} {{.Server.Os}}");
    assertEquals(0, r.exit(), r.toString());
    assertEquals("1.41 linux", r.out().trim());
    DockerCli.Result info = docker.run("info", "--format", "{{.Images}} {{.OSType}}");
    assertEquals(0, info.exit(), info.toString());
    assertEquals("0 linux", info.out().trim());
  }
}
