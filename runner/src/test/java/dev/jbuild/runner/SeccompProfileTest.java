package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.spec.SpecWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeccompProfileTest {
  @TempDir Path tmp;

  static JsonObject oci(SeccompProfile p, List<String> caps) {
    return Json.parseObject(p.ociJson(caps));
  }

  static List<String> allowed(JsonObject oci) {
    List<String> out = new ArrayList<>();
    for (Json r : oci.array("syscalls").elements()) {
      JsonObject rule = (JsonObject) r;
      if (rule.string("action").equals("SCMP_ACT_ALLOW") && !rule.hasValue("args")) {
        out.addAll(rule.array("names").strings());
      }
    }
    return out;
  }

  static List<JsonObject> rulesFor(JsonObject oci, String name) {
    List<JsonObject> out = new ArrayList<>();
    for (Json r : oci.array("syscalls").elements()) {
      if (((JsonObject) r).array("names").strings().contains(name)) {
        out.add((JsonObject) r);
      }
    }
    return out;
  }

  @Test
  void dockersDefaultForDockersCapabilitiesDeniesNamespacesMountsAndKeys() {
    JsonObject c = oci(SeccompProfile.dockerDefault(), SpecWriter.DEFAULT_CAPABILITIES);
    assertEquals("SCMP_ACT_ERRNO", c.string("defaultAction"));
    assertEquals(1, c.longValue("defaultErrnoRet")); // EPERM
    if (System.getProperty("os.arch").equals("amd64")) {
      // X32 only when the kernel has the x32 ABI (without it x32 calls fail anyway)
      assertEquals(
          SeccompProfile.Kernel.X32
              ? List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32")
              : List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86"),
          c.array("architectures").strings());
    }
    List<String> allowed = allowed(c);
    assertTrue(
        allowed.containsAll(List.of("read", "openat", "execve", "chroot")), allowed.toString());
    for (String denied :
        List.of("unshare", "mount", "umount2", "setns", "keyctl", "add_key", "bpf", "fsopen")) {
      assertFalse(allowed.contains(denied), denied);
    }
    assertTrue(rulesFor(c, "unshare").isEmpty());
    assertTrue(rulesFor(c, "mount").isEmpty());
    // clone only without namespace flags: (flags & 0x7E020000) == 0
    JsonObject clone = rulesFor(c, "clone").getFirst();
    JsonObject arg = (JsonObject) clone.array("args").get(0);
    assertEquals(0, arg.longValue("index"));
    assertEquals(2114060288L, arg.longValue("value"));
    assertEquals(0, arg.longValue("valueTwo"));
    assertEquals("SCMP_CMP_MASKED_EQ", arg.string("op"));
    // clone3 cannot be filtered by its flags: ENOSYS, so libc falls back to clone
    JsonObject clone3 = rulesFor(c, "clone3").getFirst();
    assertEquals("SCMP_ACT_ERRNO", clone3.string("action"));
    assertEquals(38, clone3.longValue("errnoRet"));
    assertEquals(5, rulesFor(c, "personality").size());
  }

  @Test
  void capabilityConditionedRulesFollowTheBoundingSet() {
    List<String> withAdmin = new ArrayList<>(SpecWriter.DEFAULT_CAPABILITIES);
    withAdmin.add("CAP_SYS_ADMIN");
    JsonObject c = oci(SeccompProfile.dockerDefault(), withAdmin);
    List<String> allowed = allowed(c);
    assertTrue(allowed.containsAll(List.of("unshare", "mount", "setns", "clone", "clone3")));
    List<String> noChroot = new ArrayList<>(SpecWriter.DEFAULT_CAPABILITIES);
    noChroot.remove("CAP_SYS_CHROOT");
    assertFalse(allowed(oci(SeccompProfile.dockerDefault(), noChroot)).contains("chroot"));
  }

  @Test
  void aProfileFileInDockersFormat() throws Exception {
    Path f =
        Files.writeString(
            tmp.resolve("p.json"),
            """
            {"defaultAction": "SCMP_ACT_ALLOW",
             "syscalls": [
               {"name": "mkdir", "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
               {"names": ["chmod"], "action": "SCMP_ACT_ERRNO", "includes": {"caps": ["CAP_X"]}},
               {"names": ["chown"], "action": "SCMP_ACT_ERRNO", "excludes": {"minKernel": "1.0"}}
             ]}
            """);
    JsonObject c = oci(SeccompProfile.load(f), SpecWriter.DEFAULT_CAPABILITIES);
    JsonArray rules = c.array("syscalls");
    assertEquals(1, rules.size(), c.toString());
    assertEquals(List.of("mkdir"), ((JsonObject) rules.get(0)).array("names").strings());
    assertFalse(c.has("architectures"));

    assertNull(SeccompProfile.UNCONFINED.ociJson(SpecWriter.DEFAULT_CAPABILITIES));
    Path bad =
        Files.writeString(tmp.resolve("bad.json"), "{\"defaultAction\": ", StandardCharsets.UTF_8);
    RunnerException e = assertThrows(RunnerException.class, () -> SeccompProfile.load(bad));
    assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    Path both =
        Files.writeString(
            tmp.resolve("both.json"),
            "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86\"],"
                + "\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\"}]}");
    e = assertThrows(RunnerException.class, () -> SeccompProfile.load(both));
    assertTrue(e.getMessage().contains("archMap"), e.getMessage());
  }
}
