package dev.jbuild.builder.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerDaemonTest {
  private static final Path SOCK = Path.of("/var/run/docker.sock");

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
  void theSocketComesFromDockerHost() throws IOException {
    assertEquals(SOCK, DockerDaemon.socket(Map.of()));
    assertEquals(
        Path.of("/run/d.sock"), DockerDaemon.socket(Map.of("DOCKER_HOST", "unix:///run/d.sock")));
    assertThrows(
        IOException.class, () -> DockerDaemon.socket(Map.of("DOCKER_HOST", "tcp://1.2.3.4:2375")));
  }
}
