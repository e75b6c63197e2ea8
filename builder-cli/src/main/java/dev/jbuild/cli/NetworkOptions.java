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

  /** BuildKit's entitlement for RUN --security=insecure. */
  static final String SECURITY_INSECURE = "security.insecure";

  /**
   * {@code build --allow}: BuildKit's entitlements; {@code network.host} lets RUN --network=host
   * use the host's network (also implied by {@code --network host}, as docker build does).
   */
  static boolean allowsHostNetwork(List<String> allow, Network buildNetwork) {
    return buildNetwork == Network.HOST || entitlements(allow).contains(NETWORK_HOST);
  }

  /** {@code build --allow security.insecure}: RUN --security=insecure may run insecure. */
  static boolean allowsInsecure(List<String> allow) {
    return entitlements(allow).contains(SECURITY_INSECURE);
  }

  private static java.util.Set<String> entitlements(List<String> allow) {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (String a : allow) {
      for (String e : a.split(",")) {
        String v = e.strip();
        if (v.equals(NETWORK_HOST) || v.equals(SECURITY_INSECURE)) {
          out.add(v);
        } else if (!v.isEmpty()) {
          throw new UserException(
              ExitCodes.USAGE,
              "invalid --allow \""
                  + v
                  + "\": jbuild grants network.host and security.insecure (BuildKit's entitlements)");
        }
      }
    }
    return out;
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
