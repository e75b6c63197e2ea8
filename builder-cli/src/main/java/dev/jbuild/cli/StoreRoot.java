package dev.jbuild.cli;

import java.nio.file.Path;
import java.util.Map;

/** Resolves the store root: --root, then $JBUILD_ROOT, then the per-user default. */
public final class StoreRoot {
  private StoreRoot() {}

  public static Path resolve(Path option, Map<String, String> env) {
    if (option != null) {
      return option.toAbsolutePath().normalize();
    }
    String fromEnv = env.get("JBUILD_ROOT");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv).toAbsolutePath().normalize();
    }
    // in jbuild's user namespace (the launcher's) uid 0 is the user: "uid:gid:name:pidfile"
    String userns = env.get("JBUILD_USERNS");
    boolean asRoot =
        userns != null && !userns.isBlank()
            ? userns.startsWith("0:")
            : "root".equals(System.getProperty("user.name"));
    if (asRoot) {
      return Path.of("/var/lib/jbuild");
    }
    String xdg = env.get("XDG_DATA_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".local", "share");
    return base.resolve("jbuild").toAbsolutePath().normalize();
  }
}
