package dev.jbuild.runner.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.Capabilities;
import dev.jbuild.runner.Rlimit;
import dev.jbuild.runner.RunSettings;
import dev.jbuild.runner.user.ResolvedUser;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecWriterSettingsTest {
  static JsonObject spec(RunSettings settings, ResolvedUser user) {
    return Json.parseObject(
        SpecWriter.toJson(
            new RuntimeSpec(
                List.of("/bin/true"),
                List.of(),
                "/",
                user,
                false,
                "box",
                "rootfs",
                false,
                null,
                List.of(),
                1024,
                null,
                null,
                settings)));
  }

  static final ResolvedUser ROOT = new ResolvedUser(0, 0, List.of(), "/root");

  private static JsonObject mount(JsonObject spec, String destination) {
    JsonArray mounts = spec.array("mounts");
    for (int i = 0; i < mounts.size(); i++) {
      JsonObject m = (JsonObject) mounts.get(i);
      if (m.string("destination").equals(destination)) {
        return m;
      }
    }
    throw new AssertionError("no mount on " + destination);
  }

  @Test
  void insecureGrantsJbuildsCapabilitiesInAllSetsWithoutSeccompOrMasks() {
    JsonObject c =
        spec(RunSettings.DEFAULT.withInsecure(true), new ResolvedUser(1000, 1000, List.of(), "/"));
    JsonObject caps = c.object("process").object("capabilities");
    for (String set : List.of("bounding", "effective", "inheritable", "permitted", "ambient")) {
      assertEquals(Capabilities.current(), caps.strings(set), set);
    }
    JsonObject linux = c.object("linux");
    assertNull(linux.get("seccomp"));
    assertEquals(List.of(), linux.strings("maskedPaths"));
    assertEquals(List.of(), linux.strings("readonlyPaths"));
    assertFalse(mount(c, "/sys").strings("options").contains("ro"));
    assertFalse(mount(c, "/sys/fs/cgroup").strings("options").contains("ro"));
  }

  @Test
  void sandboxKeepsDockersDefaults() {
    JsonObject c = spec(RunSettings.DEFAULT, ROOT);
    assertTrue(c.object("linux").get("seccomp") != null);
    assertEquals(SpecWriter.MASKED_PATHS, c.object("linux").strings("maskedPaths"));
    assertTrue(mount(c, "/sys").strings("options").contains("ro"));
    assertTrue(mount(c, "/dev/shm").strings("options").contains("size=65536k"));
  }

  @Test
  void rlimitsAndShmSize() {
    JsonObject c =
        spec(
            new RunSettings(
                false,
                List.of(),
                List.of(Rlimit.parse("nproc=10:20"), Rlimit.parse("core=-1")),
                128L << 20),
            ROOT);
    assertTrue(mount(c, "/dev/shm").strings("options").contains("size=134217728"));
    JsonArray limits = c.object("process").array("rlimits");
    assertEquals(
        "[{\"type\":\"RLIMIT_NPROC\",\"hard\":20,\"soft\":10},"
            + "{\"type\":\"RLIMIT_CORE\",\"hard\":18446744073709551615,\"soft\":18446744073709551615},"
            + "{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}]",
        limits.toString());
    JsonArray own =
        spec(new RunSettings(false, List.of(), List.of(Rlimit.parse("nofile=5:6")), 0), ROOT)
            .object("process")
            .array("rlimits");
    assertEquals("[{\"type\":\"RLIMIT_NOFILE\",\"hard\":6,\"soft\":5}]", own.toString());
  }
}
