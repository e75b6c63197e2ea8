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

  /**
   * Whether {@code run --network VALUE} names one of Docker's built-in modes (not a user network).
   */
  static boolean isBuiltinRunNetwork(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "default", "bridge", "host", "none" -> true;
      default -> false;
    };
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

  /**
   * {@code run -p [IP:][HOSTPORT:]CTRPORT[/tcp|udp]}: {@code -p 80} and {@code -p IP::80} take a
   * free host port when the container starts; IPv6 addresses in brackets.
   */
  static dev.jbuild.runner.container.PortMapping parsePublish(String spec) {
    String s = spec;
    String proto = "tcp";
    int slash = s.lastIndexOf('/');
    if (slash >= 0) {
      proto = s.substring(slash + 1).toLowerCase(Locale.ROOT);
      s = s.substring(0, slash);
      if (!proto.equals("tcp") && !proto.equals("udp")) {
        throw badPublish(spec, "protocol must be tcp or udp");
      }
    }
    String ip = "";
    if (s.startsWith("[")) {
      int close = s.indexOf("]:");
      if (close < 0) {
        throw badPublish(spec, "an IPv6 address goes in brackets: [::1]:8080:80");
      }
      ip = s.substring(1, close);
      s = s.substring(close + 2);
    } else if (s.chars().filter(c -> c == ':').count() == 2) {
      int first = s.indexOf(':');
      ip = s.substring(0, first);
      s = s.substring(first + 1);
    }
    if (!ip.isEmpty() && !isIpLiteral(ip)) {
      throw badPublish(spec, "\"" + ip + "\" is not an IP address");
    }
    String[] f = s.split(":", -1);
    if (f.length > 2) {
      throw badPublish(spec, "use [IP:][HOSTPORT:]CTRPORT[/tcp|udp]");
    }
    int ctr = port(spec, f[f.length - 1], false);
    int host = f.length == 2 ? port(spec, f[0], true) : 0;
    return new dev.jbuild.runner.container.PortMapping(ip, host, ctr, proto);
  }

  private static int port(String spec, String text, boolean emptyIsAny) {
    if (text.isEmpty() && emptyIsAny) {
      return 0;
    }
    if (text.contains("-")) {
      throw badPublish(spec, "port ranges are not supported");
    }
    try {
      int p = Integer.parseInt(text);
      if (p < 1 || p > 65535) {
        throw badPublish(spec, "port " + text + " out of range 1-65535");
      }
      return p;
    } catch (NumberFormatException e) {
      throw badPublish(spec, "\"" + text + "\" is not a port number");
    }
  }

  private static UserException badPublish(String spec, String why) {
    return new UserException(ExitCodes.USAGE, "invalid -p \"" + spec + "\": " + why);
  }

  /** {@code run --dns IP}: IPv4 or IPv6 literals only (never a name to resolve). */
  static List<String> parseDns(List<String> servers) {
    for (String s : servers) {
      if (!isIpLiteral(s)) {
        throw new UserException(
            ExitCodes.USAGE, "invalid --dns \"" + s + "\": an IP address is expected");
      }
    }
    return List.copyOf(servers);
  }

  /** {@code run --add-host NAME:IP} (also {@code NAME=IP}); host-gateway is the stack's gateway. */
  static List<String> parseAddHosts(List<String> entries) {
    List<String> out = new java.util.ArrayList<>();
    for (String e : entries) {
      int sep = e.indexOf('=');
      if (sep < 0) {
        sep = e.indexOf(':');
      }
      String name = sep < 0 ? "" : e.substring(0, sep);
      String ip = sep < 0 ? "" : e.substring(sep + 1);
      if (ip.equals("host-gateway")) {
        ip = dev.jbuild.runner.container.Wiring.HOST_GATEWAY;
      }
      if (name.isEmpty() || !name.matches("[A-Za-z0-9][A-Za-z0-9.-]*") || !isIpLiteral(ip)) {
        throw new UserException(ExitCodes.USAGE, "invalid --add-host \"" + e + "\": use NAME:IP");
      }
      out.add(name + ":" + ip);
    }
    return out;
  }

  static boolean isIpLiteral(String s) {
    if (s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      for (String part : s.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return false;
        }
      }
      return true;
    }
    return s.contains(":") && s.matches("[0-9A-Fa-f:.]+");
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
