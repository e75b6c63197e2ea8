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
}
