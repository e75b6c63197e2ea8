package dev.jbuild.layercache.registry.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** login/logout writing config.json, read back through Jib's retriever, Docker Hub's key. */
class DockerConfigTest {
  @TempDir Path dir;

  @Test
  void storedCredentialsAreFoundUnderDockerAliases() throws Exception {
    Path file = dir.resolve("docker/config.json");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file, "{\"experimental\":\"enabled\",\"auths\":{\"other:5000\":{\"auth\":\"eDp5\"}}}");
    var config = new DockerConfigFile(file);
    config.store("docker.io", RegistryCredential.basic("hubuser", "hubpw"));
    config.store("reg.example:5000", RegistryCredential.basic("u", "p:with:colons"));
    var root = Json.parseObject(Files.readAllBytes(file));
    assertEquals("enabled", root.string("experimental"));
    assertTrue(root.object("auths").has(DockerConfigFile.DOCKER_HUB_KEY));
    assertTrue(root.object("auths").has("other:5000"));

    var warnings = new ArrayList<String>();
    var creds = new DockerConfigCredentials(file, warnings::add);
    assertEquals("hubuser", creds.find("docker.io").orElseThrow().username());
    assertEquals("hubpw", creds.find("docker.io").orElseThrow().secret());
    assertEquals("p:with:colons", creds.find("reg.example:5000").orElseThrow().secret());
    assertEquals("x", creds.find("other:5000").orElseThrow().username());
    assertTrue(creds.find("unknown.example").isEmpty());

    assertTrue(config.erase("docker.io"));
    assertFalse(config.erase("docker.io"));
    assertTrue(creds.find("docker.io").isEmpty());
    assertTrue(warnings.isEmpty(), warnings.toString());
  }

  @Test
  void dockerConfigDirectoryFromTheEnvironment() {
    assertEquals(
        Path.of("/x/config.json"),
        DockerConfigCredentials.defaultConfigFile(Map.of("DOCKER_CONFIG", "/x")));
    assertEquals(
        Path.of(System.getProperty("user.home"), ".docker", "config.json"),
        DockerConfigCredentials.defaultConfigFile(Map.of()));
  }
}
