package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreRootTest {
  @Test
  void optionThenEnvironment() {
    assertEquals(Path.of("/s"), StoreRoot.resolve(Path.of("/s"), Map.of("JBUILD_ROOT", "/e")));
    assertEquals(Path.of("/e"), StoreRoot.resolve(null, Map.of("JBUILD_ROOT", "/e")));
  }

  @Test
  void inJbuildsUserNamespaceTheUsersStoreNotRoots() {
    // uid 0 in the namespace is the user: the user's own data directory, not /var/lib/jbuild
    Map<String, String> env =
        Map.of(
            "JBUILD_USERNS", "1001:1001:alice:/tmp/jbuild-1001/userns.pid", "HOME", "/home/alice");
    assertEquals(Path.of("/home/alice/.local/share/jbuild"), StoreRoot.resolve(null, env));
    Map<String, String> xdg =
        Map.of("JBUILD_USERNS", "1001:1001:alice:/p", "XDG_DATA_HOME", "/data/alice");
    assertEquals(Path.of("/data/alice/jbuild"), StoreRoot.resolve(null, xdg));
  }

  @Test
  void rootInItsOwnNamespaceKeepsTheSystemStore() {
    assertEquals(
        Path.of("/var/lib/jbuild"),
        StoreRoot.resolve(null, Map.of("JBUILD_USERNS", "0:0:root:/tmp/jbuild-0/userns.pid")));
  }
}
