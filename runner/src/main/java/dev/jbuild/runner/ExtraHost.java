package dev.jbuild.runner;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An {@code --add-host NAME:IP} entry for /etc/hosts. {@code IP} may be {@value #HOST_GATEWAY}, the
 * address at which a RUN reaches the host (Docker's special value): resolved by the sandbox for the
 * step's network.
 */
public record ExtraHost(String name, String address) {
  /** Docker's special value: the host as the container reaches it. */
  public static final String HOST_GATEWAY = "host-gateway";

  /**
   * Docker's {@code --add-host host:ip} (also {@code host=ip}, and {@code host:[v6]} brackets, as
   * Docker 25 accepts): a name without spaces and an IPv4 or IPv6 literal, or host-gateway.
   *
   * @throws IllegalArgumentException with Docker's message for a bad value
   */
  public static ExtraHost parse(String spec) {
    int eq = spec.indexOf('=');
    int colon = spec.indexOf(':');
    int sep = eq >= 0 && (colon < 0 || eq < colon) ? eq : colon;
    if (sep <= 0) {
      throw new IllegalArgumentException("bad format for add-host: \"" + spec + "\"");
    }
    String name = spec.substring(0, sep);
    String ip = spec.substring(sep + 1);
    if (ip.startsWith("[") && ip.endsWith("]")) {
      ip = ip.substring(1, ip.length() - 1);
    }
    if (name.isBlank() || name.chars().anyMatch(c -> c <= ' ' || c == 127)) {
      throw new IllegalArgumentException("invalid hostname in add-host: \"" + spec + "\"");
    }
    if (!ip.equals(HOST_GATEWAY) && !isIpLiteral(ip)) {
      throw new IllegalArgumentException("invalid IP address in add-host: \"" + ip + "\"");
    }
    return new ExtraHost(name, ip);
  }

  /** An IPv4 dotted quad or an IPv6 literal (no name lookup ever happens). */
  static boolean isIpLiteral(String s) {
    if (s.isEmpty()
        || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
      return false;
    }
    if (s.indexOf(':') < 0
        && !s.matches(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}")) {
      return false;
    }
    try {
      // a literal of hex digits, dots and colons only: parsed, never looked up
      InetAddress.getByName(s);
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The /etc/hosts line, with host-gateway replaced by {@code gateway}. */
  public String hostsLine(String gateway) {
    return (address.equals(HOST_GATEWAY) ? gateway : address) + "\t" + name + "\n";
  }
}
