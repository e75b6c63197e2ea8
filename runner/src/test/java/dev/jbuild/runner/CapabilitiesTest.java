package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --cap-add and --cap-drop as docker's CLI and moby's TweakCapabilities read them. */
class CapabilitiesTest {
  private static final List<String> DEFAULTS = Capabilities.DOCKER_DEFAULT;

  @Test
  void namesAreCaseInsensitiveWithOrWithoutCapPrefix() {
    assertEquals("CAP_NET_ADMIN", Capabilities.normalize("net_admin"));
    assertEquals("CAP_NET_ADMIN", Capabilities.normalize("Cap_Net_Admin"));
    assertEquals("ALL", Capabilities.normalize("all"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Capabilities.normalize("FOO"));
    assertEquals("unknown capability: \"CAP_FOO\"", e.getMessage());
    // moby's rule: ALL is ALL only without the prefix
    assertThrows(IllegalArgumentException.class, () -> Capabilities.normalize("CAP_ALL"));
  }

  @Test
  void theKernelsCapabilitiesAreKnown() {
    // every kernel jbuild runs on has at least CAP_AUDIT_READ (37, Linux 3.16)
    assertTrue(Capabilities.all().size() >= 38, Capabilities.all().toString());
    assertEquals("CAP_CHOWN", Capabilities.all().getFirst());
  }

  @Test
  void dropsThenAdds() {
    List<String> expected = new ArrayList<>(DEFAULTS);
    expected.remove("CAP_CHOWN");
    expected.add("CAP_NET_ADMIN");
    assertEquals(expected, Capabilities.tweak(DEFAULTS, List.of("NET_ADMIN"), List.of("chown")));
    assertEquals(DEFAULTS, Capabilities.tweak(DEFAULTS, List.of(), List.of()));
    // an add of a default is kept once
    assertEquals(DEFAULTS, Capabilities.tweak(DEFAULTS, List.of("CHOWN"), List.of()));
  }

  @Test
  void allDroppedLeavesTheAddsAllAddedLeavesAllButTheDrops() {
    assertEquals(
        List.of("CAP_NET_BIND_SERVICE"),
        Capabilities.tweak(DEFAULTS, List.of("NET_BIND_SERVICE"), List.of("ALL")));
    assertEquals(List.of(), Capabilities.tweak(DEFAULTS, List.of(), List.of("ALL")));
    List<String> all = Capabilities.tweak(DEFAULTS, List.of("ALL"), List.of("SYS_ADMIN"));
    assertEquals(Capabilities.all().size() - 1, all.size());
    assertFalse(all.contains("CAP_SYS_ADMIN"));
  }

  @Test
  void theDockerClisReadingAnAddWinsOverADrop() {
    assertEquals(
        List.of(List.of("CAP_CHOWN", "CAP_NET_ADMIN"), List.of("CAP_KILL")),
        Capabilities.effectiveAddDrop(
            List.of("net_admin", "CHOWN", "chown"), List.of("CHOWN", "kill")));
    assertEquals(
        List.of(List.of("ALL"), List.of("CAP_KILL")),
        Capabilities.effectiveAddDrop(List.of("all", "NET_ADMIN"), List.of("KILL")));
    assertEquals(
        List.of(List.of(), List.of("ALL")),
        Capabilities.effectiveAddDrop(List.of(), List.of("CHOWN", "all")));
  }
}
