package dev.jbuild.cli;

import dev.jbuild.runner.Network;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.SeccompProfile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The network and security options of {@code build} and {@code run}, as Docker/BuildKit spell them.
 */
final class NetworkOptions {
  /** BuildKit's entitlement for RUN --network=host. */
  static final String NETWORK_HOST = "network.host";

  private NetworkOptions() {}

  /** {@code build --network}: default (the private network), host or none. */
  static Network parseBuildNetwork(String value) {
    return parseNetwork(value, false);
  }

  /**
   * {@code build --allow}: BuildKit's entitlements; {@code network.host} lets RUN --network=host
   * use the host's network (also implied by {@code --network host}).
   */
  static boolean allowsHostNetwork(List<String> allow, Network buildNetwork) {
    boolean host = buildNetwork == Network.HOST;
    for (String a : allow) {
      for (String e : a.split(",")) {
        String v = e.strip();
        if (v.equals(NETWORK_HOST)) {
          host = true;
        } else if (!v.isEmpty()) {
          throw new UserException(
              ExitCodes.USAGE,
              "invalid --allow \""
                  + v
                  + "\": jbuild grants only network.host (RUN --security=insecure is not supported)");
        }
      }
    }
    return host;
  }

  /** {@code run --network}: default (or bridge, Docker's name for it), host or none. */
  static Network parseRunNetwork(String value) {
    return parseNetwork(value, true);
  }

  private static Network parseNetwork(String value, boolean bridge) {
    String v = value.toLowerCase(Locale.ROOT);
    return switch (bridge && v.equals("bridge") ? "default" : v) {
      case "default" -> Network.PRIVATE;
      case "host" -> Network.HOST;
      case "none" -> Network.NONE;
      default ->
          throw new UserException(
              ExitCodes.USAGE,
              "invalid --network \"" + value + "\": expected default, host or none");
    };
  }

  /** {@code run --security-opt}: seccomp=unconfined or seccomp=FILE (Docker's profile format). */
  static SeccompProfile parseSecurityOpts(List<String> opts) {
    SeccompProfile profile = null;
    for (String o : opts) {
      int sep = o.indexOf('=');
      if (sep < 0) {
        sep = o.indexOf(':'); // Docker's older spelling
      }
      String key = sep < 0 ? o : o.substring(0, sep);
      String value = sep < 0 ? "" : o.substring(sep + 1);
      if (!key.equals("seccomp") || value.isEmpty()) {
        throw new UserException(
            ExitCodes.USAGE,
            "invalid --security-opt \"" + o + "\": jbuild supports seccomp=unconfined|FILE");
      }
      if (value.equals("unconfined")) {
        profile = SeccompProfile.UNCONFINED;
      } else {
        try {
          profile = SeccompProfile.load(Path.of(value));
        } catch (RunnerException e) {
          throw new UserException(ExitCodes.USAGE, e.getMessage());
        } catch (IOException e) {
          throw new UserException(
              ExitCodes.USAGE, "cannot read seccomp profile " + value + ": " + e.getMessage());
        }
      }
    }
    return profile;
  }
}
