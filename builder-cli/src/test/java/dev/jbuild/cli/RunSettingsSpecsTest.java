package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.runner.Network;
import dev.jbuild.runner.Rlimit;
import dev.jbuild.runner.RunSettings;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RunSettingsSpecsTest {
  @Test
  void shmSizeAsDockersRamInBytes() {
    assertEquals(134217728L, RunSettingsSpecs.size("128m"));
    assertEquals(134217728L, RunSettingsSpecs.size("128MiB"));
    assertEquals(1L << 30, RunSettingsSpecs.size("1g"));
    assertEquals(1536L, RunSettingsSpecs.size("1.5k"));
    assertEquals(4096L, RunSettingsSpecs.size("4096"));
    for (String bad : List.of("", "x", "-1", "0", "12q")) {
      UserException e = assertThrows(UserException.class, () -> RunSettingsSpecs.size(bad), bad);
      assertTrue(e.getMessage().startsWith("invalid --shm-size"), e.getMessage());
    }
  }

  @Test
  void settingsAndStages() {
    RunSettings s =
        RunSettingsSpecs.parse(
            true, List.of("a:1.2.3.4"), List.of("nofile=1:2", "nofile=3:4"), "64m");
    assertTrue(s.insecure());
    assertEquals(List.of(new Rlimit("RLIMIT_NOFILE", 3, 4)), s.rlimits(), "the last one wins");
    assertEquals(64L << 20, s.shmSize());
    assertEquals(Set.of("build", "test"), RunSettingsSpecs.stages(List.of("Build, test", "")));
    assertThrows(
        UserException.class,
        () -> RunSettingsSpecs.parse(false, List.of("nocolon"), List.of(), null));
    assertThrows(
        UserException.class, () -> RunSettingsSpecs.parse(false, List.of(), List.of("x=1"), null));
  }

  @Test
  void entitlements() {
    assertTrue(NetworkOptions.allowsInsecure(List.of("network.host,security.insecure")));
    assertFalse(NetworkOptions.allowsInsecure(List.of("network.host")));
    assertTrue(NetworkOptions.allowsHostNetwork(List.of(), Network.HOST), "--network host");
    assertFalse(NetworkOptions.allowsHostNetwork(List.of("security.insecure"), Network.PRIVATE));
    UserException e =
        assertThrows(UserException.class, () -> NetworkOptions.allowsInsecure(List.of("device")));
    assertTrue(e.getMessage().contains("invalid --allow \"device\""), e.getMessage());
  }
}
