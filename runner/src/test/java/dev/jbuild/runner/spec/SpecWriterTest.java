package dev.jbuild.runner.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.SeccompProfile;
import dev.jbuild.runner.user.ResolvedUser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecWriterTest {
  static RuntimeSpec spec(ResolvedUser user, boolean hostNetwork, List<SpecMount> mounts) {
    return new RuntimeSpec(
        List.of("/bin/sh", "-c", "echo \"hi\"\n\ttab\u0001"),
        List.of("PATH=/bin", "A=b=c"),
        "/work",
        user,
        false,
        "box",
        "rootfs",
        hostNetwork,
        null,
        mounts,
        1024,
        "/jbuild/run-1",
        null);
  }

  static JsonObject parse(RuntimeSpec spec) {
    return Json.parseObject(SpecWriter.toJson(spec));
  }

  static List<String> strings(JsonObject o, String key) {
    return o.strings(key);
  }

  @Test
  void rootGetsDockersCapabilitiesAndNamespaces() {
    JsonObject c = parse(spec(new ResolvedUser(0, 0, List.of(10L), "/root"), false, List.of()));
    JsonObject process = c.object("process");
    assertEquals(List.of("/bin/sh", "-c", "echo \"hi\"\n\ttab\u0001"), strings(process, "args"));
    assertEquals(List.of("PATH=/bin", "A=b=c"), strings(process, "env"));
    assertEquals("/work", process.string("cwd"));
    JsonObject caps = process.object("capabilities");
    assertEquals(14, strings(caps, "bounding").size());
    assertEquals(SpecWriter.DEFAULT_CAPABILITIES, strings(caps, "effective"));
    assertEquals(SpecWriter.DEFAULT_CAPABILITIES, strings(caps, "permitted"));
    assertEquals("box", c.string("hostname"));
    List<String> ns = new ArrayList<>();
    JsonArray namespaces = c.object("linux").array("namespaces");
    for (int i = 0; i < namespaces.size(); i++) {
      ns.add(((JsonObject) namespaces.get(i)).string("type"));
    }
    assertEquals(List.of("pid", "ipc", "uts", "mount", "network"), ns);
    JsonObject seccomp = c.object("linux").object("seccomp");
    assertEquals("SCMP_ACT_ERRNO", seccomp.string("defaultAction"), "Docker's default profile");
    assertTrue(seccomp.array("syscalls").size() > 5);
    assertEquals(SpecWriter.MASKED_PATHS, strings(c.object("linux"), "maskedPaths"));
    assertEquals(SpecWriter.READONLY_PATHS, strings(c.object("linux"), "readonlyPaths"));
  }

  @Test
  void nonRootHasOnlyTheBoundingSetAndHostNetworkNoNetNamespace() {
    JsonObject c = parse(spec(new ResolvedUser(1000, 1000, List.of(), "/"), true, List.of()));
    JsonObject caps = c.object("process").object("capabilities");
    assertEquals(14, strings(caps, "bounding").size());
    assertTrue(strings(caps, "effective").isEmpty());
    assertFalse(
        SpecWriter.toJson(spec(new ResolvedUser(1, 1, List.of(), "/"), true, List.of()))
            .contains("\"network\""));
  }

  @Test
  void userMountsReplaceDefaultsAndComeParentsFirst() {
    List<SpecMount> mine =
        List.of(
            SpecMount.bind("/host/b", "/a/b/c", true),
            SpecMount.tmpfs("/dev/shm", List.of("size=1m")),
            SpecMount.bind("/host/a", "/a", false));
    List<String> dest = new ArrayList<>();
    for (SpecMount m :
        SpecWriter.allMounts(spec(new ResolvedUser(0, 0, List.of(), "/"), false, mine))) {
      dest.add(m.destination() + " " + m.type());
    }
    assertEquals(
        List.of(
            "/proc proc",
            "/dev tmpfs",
            "/dev/pts devpts",
            "/sys sysfs",
            "/sys/fs/cgroup cgroup",
            "/dev/mqueue mqueue",
            "/a bind",
            "/dev/shm tmpfs",
            "/a/b/c bind"),
        dest);
  }

  @Test
  void thePrivateNetworkIsJoinedByPath() {
    RuntimeSpec base = spec(new ResolvedUser(0, 0, List.of(), "/root"), false, List.of());
    RuntimeSpec joined =
        new RuntimeSpec(
            base.args(),
            base.env(),
            base.cwd(),
            base.user(),
            false,
            "box",
            "rootfs",
            false,
            "/store/runs/run-1/netns",
            List.of(),
            -1,
            null,
            SeccompProfile.UNCONFINED);
    JsonObject linux = parse(joined).object("linux");
    JsonObject net = (JsonObject) linux.array("namespaces").get(4);
    assertEquals("network", net.string("type"));
    assertEquals("/store/runs/run-1/netns", net.string("path"));
    assertFalse(linux.has("seccomp"), "unconfined");
  }
}
