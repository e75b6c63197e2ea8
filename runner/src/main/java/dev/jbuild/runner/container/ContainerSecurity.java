package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.SeccompProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code --cap-add}, {@code --cap-drop} and {@code --read-only} in the bundle's config.json, as
 * Docker's spec has them: the capability set (Docker's defaults, drops then adds, moby's
 * TweakCapabilities) in the bounding, effective and permitted sets, the latter two empty for a
 * non-root user (Docker sets no inheritable or ambient set); Docker's seccomp profile translated
 * for that set (a rule gated on an added capability applies); {@code root.readonly} (runc remounts
 * the root read-only once the other mounts are made: /dev, /dev/shm, /proc, tmpfs mounts and
 * volumes stay as they are).
 */
final class ContainerSecurity {
  private ContainerSecurity() {}

  static void apply(Path config, HostConfig.Security security, SeccompProfile seccomp)
      throws IOException {
    if (!security.any()) {
      return;
    }
    JsonObject spec = Json.parseObject(Files.readAllBytes(config));
    if (!security.capAdd().isEmpty() || !security.capDrop().isEmpty()) {
      List<String> caps = security.capabilities();
      JsonObject process = spec.object("process");
      JsonObject user = process.object("user");
      Long uid = user == null ? null : user.longValue("uid");
      Json set = Json.ofStrings(caps);
      Json held = uid == null || uid == 0 ? set : Json.ofStrings(List.of());
      JsonObject capabilities =
          JsonObject.builder()
              .put("bounding", set)
              .put("effective", held)
              .put("permitted", held)
              .build();
      spec = spec.with("process", process.with("capabilities", capabilities));
      JsonObject linux = spec.object("linux");
      JsonObject filter = seccomp.linuxSeccomp(caps);
      if (linux != null && linux.has("seccomp") && filter != null) {
        spec = spec.with("linux", linux.with("seccomp", filter));
      }
    }
    if (security.readonlyRootfs()) {
      spec = spec.with("root", spec.object("root").with("readonly", Json.of(true)));
    }
    Files.write(config, spec.toBytes());
  }
}
