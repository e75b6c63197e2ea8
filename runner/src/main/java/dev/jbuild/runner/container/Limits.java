package dev.jbuild.runner.container;

import dev.jbuild.layercache.fs.UserNamespace;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --memory}, {@code --cpus}, {@code --pids-limit}: {@code linux.resources} in the bundle's
 * config.json, enforced by the runtime in the container's own cgroup ({@code /jbuild/<id>}).
 * Rootless containers get no cgroup of their own on this host (none is delegated), so limits are
 * refused there rather than silently ignored.
 */
final class Limits {
  private Limits() {}

  static void apply(Path config, HostConfig.Resources r) throws IOException {
    if (!r.any()) {
      return;
    }
    if (!UserNamespace.current().isInitial()) {
      throw new RunnerException(
          "--memory, --cpus and --pids-limit need a cgroup of the container's own, which rootless"
              + " containers do not get here (no cgroup is delegated to the user)",
          RunnerErrors.CANNOT_CREATE);
    }
    JsonObject spec = Json.parseObject(Files.readAllBytes(config));
    JsonObject linux = spec.object("linux") == null ? JsonObject.EMPTY : spec.object("linux");
    JsonObject.Builder resources =
        linux.object("resources") == null
            ? JsonObject.builder()
            : linux.object("resources").toBuilder();
    JsonObject limits = r.toSpec();
    for (String k : limits.keys()) {
      resources.put(k, limits.get(k));
    }
    Files.write(config, spec.with("linux", linux.with("resources", resources.build())).toBytes());
  }
}
