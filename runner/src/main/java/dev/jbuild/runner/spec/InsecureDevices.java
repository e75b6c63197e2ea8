package dev.jbuild.runner.spec;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The devices BuildKit's insecure spec gives a RUN outside a user namespace (its
 * util/entitlements/security WithInsecureSpec): the device cgroup allows every character and block
 * device, and the nodes of kmsg, cuse, fuse, kvm, net/tun, loop-control and eight loop devices are
 * created.
 */
final class InsecureDevices {
  private static final int LOOPS = 8;

  private InsecureDevices() {}

  /** {@code linux.devices}. */
  static JsonArray nodes() {
    List<Json> out = new ArrayList<>();
    out.add(node("/dev/kmsg", "c", 1, 11));
    out.add(node("/dev/cuse", "c", 10, 203));
    out.add(node("/dev/fuse", "c", 10, 229));
    out.add(node("/dev/kvm", "c", 10, 232));
    out.add(node("/dev/net/tun", "c", 10, 200));
    out.add(node("/dev/loop-control", "c", 10, 237));
    for (int i = 0; i < LOOPS; i++) {
      out.add(node("/dev/loop" + i, "b", 7, i));
    }
    return new JsonArray(out);
  }

  /** {@code linux.resources}: every character and block device allowed. */
  static JsonObject allowAll() {
    return JsonObject.builder()
        .put(
            "devices",
            JsonArray.of(
                JsonObject.builder()
                    .put("allow", true)
                    .put("type", "c")
                    .put("access", "rwm")
                    .build(),
                JsonObject.builder()
                    .put("allow", true)
                    .put("type", "b")
                    .put("access", "rwm")
                    .build()))
        .build();
  }

  private static JsonObject node(String path, String type, int major, int minor) {
    return JsonObject.builder()
        .put("path", path)
        .put("type", type)
        .put("major", major)
        .put("minor", minor)
        .put("fileMode", 0666)
        .put("uid", 0)
        .put("gid", 0)
        .build();
  }
}
