package dev.jbuild.layercache.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryConfigTest {
  @TempDir Path dir;

  @Test
  void parsesMirrorsInsecureAndCa() throws IOException {
    Path file = dir.resolve("registries.json");
    Files.writeString(
        file,
        """
        {"registries": {
           "docker.io": {"mirrors": ["https://mirror.example:5000/", "127.0.0.1:5001/hub"]},
           "reg.example:5000": {"insecure": true},
           "private.example": {"ca": "certs/ca.pem"},
           "127.0.0.1:6000": {"insecure": false}
         },
         "certsDir": "certs.d"}
        """);
    RegistryConfig c = RegistryConfig.load(file);
    assertEquals(List.of("mirror.example:5000", "127.0.0.1:5001/hub"), c.mirrors("docker.io"));
    assertTrue(c.insecure("reg.example:5000"));
    assertFalse(c.insecure("private.example"));
    assertEquals(dir.resolve("certs/ca.pem"), c.caFile("private.example").orElseThrow());
    assertFalse(c.insecure("127.0.0.1:6000"));
    assertEquals(List.of(), c.mirrors("quay.example"));
  }

  @Test
  void loopbackIsInsecureByDefaultUnlessItHasACa() throws IOException {
    RegistryConfig c = RegistryConfig.empty().withCertsDir(dir);
    assertTrue(c.insecure("localhost:5000"));
    assertTrue(c.insecure("127.0.0.1:5000"));
    assertTrue(c.insecure("127.1.2.3"));
    assertTrue(c.insecure("[::1]:5000"));
    assertFalse(c.insecure("registry.example"));
    assertFalse(c.insecure("10.0.0.1:5000"));
    Files.createDirectories(dir.resolve("localhost:5000"));
    Files.writeString(dir.resolve("localhost:5000/ca.crt"), "x");
    assertFalse(c.insecure("localhost:5000"));
    assertEquals(dir.resolve("localhost:5000/ca.crt"), c.caFile("localhost:5000").orElseThrow());
  }

  @Test
  void unknownFieldsAreErrorsNamingTheFile() throws IOException {
    Path file = dir.resolve("registries.json");
    Files.writeString(file, "{\"registries\": {\"a.example\": {\"mirror\": []}}}");
    var e = assertThrows(IOException.class, () -> RegistryConfig.load(file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("unknown field \"mirror\""), e.getMessage());
  }

  @Test
  void locatesTheFileFromTheEnvironment() throws IOException {
    Path file = dir.resolve("x.json");
    assertEquals(
        file,
        RegistryConfig.locate(Map.of("JBUILD_REGISTRIES_CONFIG", file.toString())).orElseThrow());
    Path xdg = dir.resolve("xdg");
    Files.createDirectories(xdg.resolve("jbuild"));
    Files.writeString(xdg.resolve("jbuild/registries.json"), "{}");
    assertEquals(
        xdg.resolve("jbuild/registries.json"),
        RegistryConfig.locate(Map.of("XDG_CONFIG_HOME", xdg.toString())).orElseThrow());
  }

  @Test
  void timeoutsFromTheFileAndTheEnvironment() throws IOException {
    assertEquals(Timeouts.DEFAULT, RegistryConfig.empty().timeouts());
    assertEquals(java.time.Duration.ofSeconds(30), Timeouts.DEFAULT.connect());
    assertEquals(java.time.Duration.ofSeconds(60), Timeouts.DEFAULT.read());
    Path file = dir.resolve("t.json");
    Files.writeString(file, "{\"timeouts\": {\"connect\": 2, \"read\": 0.25}}");
    var env = Map.of("JBUILD_REGISTRIES_CONFIG", file.toString());
    Timeouts t = RegistryConfig.load(env).timeouts();
    assertEquals(java.time.Duration.ofSeconds(2), t.connect());
    assertEquals(java.time.Duration.ofMillis(250), t.read());
    Timeouts overridden =
        RegistryConfig.load(
                Map.of(
                    "JBUILD_REGISTRIES_CONFIG",
                    file.toString(),
                    Timeouts.READ_ENV,
                    "7",
                    Timeouts.CONNECT_ENV,
                    "1.5"))
            .timeouts();
    assertEquals(java.time.Duration.ofSeconds(7), overridden.read());
    assertEquals(java.time.Duration.ofMillis(1500), overridden.connect());

    var bad =
        assertThrows(
            IOException.class,
            () ->
                RegistryConfig.load(
                    Map.of(
                        "JBUILD_REGISTRIES_CONFIG", file.toString(), Timeouts.READ_ENV, "soon")));
    assertTrue(
        bad.getMessage().contains("JBUILD_READ_TIMEOUT must be a number of seconds"),
        bad.getMessage());
    Files.writeString(file, "{\"timeouts\": {\"read\": -1}}");
    var negative = assertThrows(IOException.class, () -> RegistryConfig.load(file));
    assertTrue(
        negative.getMessage().contains("timeouts.read must be between 0 and 86400"),
        negative.getMessage());
    Files.writeString(file, "{\"timeouts\": {\"idle\": 3}}");
    var unknown = assertThrows(IOException.class, () -> RegistryConfig.load(file));
    assertTrue(unknown.getMessage().contains("unknown field \"idle\""), unknown.getMessage());
  }
}
