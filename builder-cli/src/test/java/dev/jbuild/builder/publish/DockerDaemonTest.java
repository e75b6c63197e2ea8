package dev.jbuild.builder.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerDaemonTest {
  private static final String SOCK = "unix:///var/run/docker.sock";

  @Test
  void aLoadedImageIsAccepted() throws IOException {
    DockerDaemon.check(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n"
            + "{\"stream\":\"Loaded image: app:1\\n\"}\r\n",
        SOCK);
  }

  @Test
  void anErrorInTheStreamOrAStatusIsRefused() {
    var e =
        assertThrows(
            IOException.class,
            () ->
                DockerDaemon.check(
                    "HTTP/1.1 200 OK\r\n\r\n{\"errorDetail\":{\"message\":\"bad\"},"
                        + "\"error\":\"open /x: no such file\"}",
                    SOCK));
    assertTrue(e.getMessage().contains("open /x: no such file"), e.getMessage());
    var s =
        assertThrows(
            IOException.class,
            () -> DockerDaemon.check("HTTP/1.1 500 Internal\r\n\r\n{\"message\":\"boom\"}", SOCK));
    assertTrue(s.getMessage().contains("HTTP 500"), s.getMessage());
    assertThrows(IOException.class, () -> DockerDaemon.check("garbage", SOCK));
  }

  @Test
  void theAddressComesFromDockerHost() throws IOException {
    assertEquals(
        new DockerDaemon.Address.Unix(Path.of("/var/run/docker.sock")),
        DockerDaemon.address(Map.of()));
    assertEquals(
        new DockerDaemon.Address.Unix(Path.of("/run/d.sock")),
        DockerDaemon.address(Map.of("DOCKER_HOST", "unix:///run/d.sock")));
    assertEquals(
        new DockerDaemon.Address.Tcp("127.0.0.1", 2375),
        DockerDaemon.address(Map.of("DOCKER_HOST", "tcp://127.0.0.1:2375")));
    assertEquals(
        new DockerDaemon.Address.Tcp("::1", 2375),
        DockerDaemon.address(Map.of("DOCKER_HOST", "tcp://[::1]:2375/")));
    assertEquals(
        "tcp://[::1]:2375",
        DockerDaemon.address(Map.of("DOCKER_HOST", "tcp://[::1]:2375")).toString());
    var tls =
        assertThrows(
            IOException.class,
            () ->
                DockerDaemon.address(
                    Map.of("DOCKER_HOST", "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY", "1")));
    assertTrue(tls.getMessage().contains("TLS"), tls.getMessage());
    assertThrows(
        IOException.class, () -> DockerDaemon.address(Map.of("DOCKER_HOST", "tcp://nohost")));
    assertThrows(
        IOException.class, () -> DockerDaemon.address(Map.of("DOCKER_HOST", "ssh://me@host")));
  }
}
