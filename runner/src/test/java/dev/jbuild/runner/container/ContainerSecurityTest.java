package dev.jbuild.runner.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.SeccompProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --cap-add, --cap-drop and --read-only written into a bundle's config.json. */
class ContainerSecurityTest {
  @TempDir Path dir;

  private JsonObject applied(long uid, HostConfig.Security security) throws Exception {
    Path config = dir.resolve("config-" + uid + ".json");
    Files.writeString(
        config,
        "{\"process\":{\"user\":{\"uid\":"
            + uid
            + ",\"gid\":0},\"capabilities\":{}},\"root\":{\"path\":\"rootfs\",\"readonly\":false},"
            + "\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"}}}");
    ContainerSecurity.apply(config, security, SeccompProfile.dockerDefault());
    return Json.parseObject(Files.readAllBytes(config));
  }

  @Test
  void capabilitiesInBoundingEffectivePermittedNoneForANonRootUser() throws Exception {
    HostConfig.Security s =
        HostConfig.Security.of(List.of("SYS_PTRACE"), List.of("ALL"), false, "a", "d");
    JsonObject root = applied(0, s).object("process").object("capabilities");
    for (String set : List.of("bounding", "effective", "permitted")) {
      assertEquals(List.of("CAP_SYS_PTRACE"), root.strings(set), set);
    }
    assertFalse(root.has("inheritable"));
    assertFalse(root.has("ambient"));
    JsonObject user = applied(1000, s).object("process").object("capabilities");
    assertEquals(List.of("CAP_SYS_PTRACE"), user.strings("bounding"));
    assertEquals(List.of(), user.strings("effective"));
    assertEquals(List.of(), user.strings("permitted"));
  }

  @Test
  void seccompFollowsTheCapabilitySet() throws Exception {
    // Docker's profile allows kcmp (and the other ptrace-class calls) with CAP_SYS_PTRACE only
    JsonObject with =
        applied(0, HostConfig.Security.of(List.of("SYS_PTRACE"), List.of(), false, "a", "d"));
    String filter = with.object("linux").object("seccomp").toString();
    assertTrue(filter.contains("\"kcmp\""), "CAP_SYS_PTRACE's rule applies");
    assertEquals(
        SeccompProfile.dockerDefault()
            .linuxSeccomp(
                HostConfig.Security.of(List.of("SYS_PTRACE"), List.of(), false, "a", "d")
                    .capabilities())
            .toString(),
        filter);
  }

  @Test
  void readOnlyRootOnly() throws Exception {
    JsonObject spec = applied(0, new HostConfig.Security(List.of(), List.of(), true));
    assertEquals("true", spec.object("root").get("readonly").toString());
    assertEquals("{}", spec.object("process").object("capabilities").toString());
  }
}
