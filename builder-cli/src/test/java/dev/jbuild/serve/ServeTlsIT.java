package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon on TCP with mutual TLS (docker's --tlsverify): a CA, a server and a client certificate
 * made with openssl; the docker CLI with its certificate gets in, a client without one does not.
 */
class ServeTlsIT {
  @TempDir Path tmp;

  private void openssl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), "openssl " + String.join(" ", args) + ":\n" + out);
  }

  private void certificates() throws Exception {
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca-key.pem",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=jbt-serve-ca");
    Files.writeString(
        tmp.resolve("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    Files.writeString(tmp.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
    for (String who : List.of("server", "client")) {
      openssl(
          "req",
          "-newkey",
          "rsa:2048",
          "-nodes",
          "-keyout",
          who + "-key.pem",
          "-out",
          who + ".csr",
          "-subj",
          "/CN=jbt-" + who);
      openssl(
          "x509",
          "-req",
          "-in",
          who + ".csr",
          "-CA",
          "ca.pem",
          "-CAkey",
          "ca-key.pem",
          "-CAcreateserial",
          "-out",
          who + "-cert.pem",
          "-days",
          "2",
          "-extfile",
          who + ".ext");
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void dockerWithItsCertificateGetsInAndAClientWithoutOneDoesNot() throws Exception {
    certificates();
    int port = freePort();
    String tcp = "tcp://127.0.0.1:" + port;
    try (DaemonProcess d =
        DaemonProcess.start(
            tmp.resolve("store"),
            tmp.resolve("jbuild.sock"),
            tmp.resolve("daemon.log"),
            "-H",
            tcp,
            "--tlsverify",
            "--tlscacert",
            tmp.resolve("ca.pem").toString(),
            "--tlscert",
            tmp.resolve("server-cert.pem").toString(),
            "--tlskey",
            tmp.resolve("server-key.pem").toString())) {
      DockerCli docker = new DockerCli(tcp, tmp, Map.of());
      DockerCli.Result v =
          docker.run(
              null,
              Duration.ofMinutes(1),
              "--tlsverify",
              "--tlscacert",
              tmp.resolve("ca.pem").toString(),
              "--tlscert",
              tmp.resolve("client-cert.pem").toString(),
              "--tlskey",
              tmp.resolve("client-key.pem").toString(),
              "version",
              "--format",
              "{{.Server.APIVersion}}");
      assertEquals(0, v.exit(), v + "\n" + d.log());
      assertEquals("1.41", v.out().trim());
      String logged = d.awaitLog("GET /v1.41/version 200 cn=jbt-client");
      assertTrue(logged.contains("GET /v1.41/version 200 cn=jbt-client"), logged);

      Process curl =
          new ProcessBuilder(
                  "curl",
                  "-sS",
                  "--max-time",
                  "20",
                  "--cacert",
                  tmp.resolve("ca.pem").toString(),
                  "https://127.0.0.1:" + port + "/_ping")
              .redirectErrorStream(true)
              .start();
      String out = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(curl.waitFor(60, TimeUnit.SECONDS));
      assertNotEquals(0, curl.exitValue(), out);
      assertTrue(!out.contains("OK"), out);

      Process withCert =
          new ProcessBuilder(
                  "curl",
                  "-sS",
                  "--max-time",
                  "20",
                  "--cacert",
                  tmp.resolve("ca.pem").toString(),
                  "--cert",
                  tmp.resolve("client-cert.pem").toString(),
                  "--key",
                  tmp.resolve("client-key.pem").toString(),
                  "https://127.0.0.1:" + port + "/_ping")
              .redirectErrorStream(true)
              .start();
      String ok = new String(withCert.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(withCert.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, withCert.exitValue(), ok);
      assertEquals("OK", ok);
    }
  }
}
