package dev.jbuild.runner.container;

import java.util.Locale;

/**
 * A published port: {@code -p [IP:][HOSTPORT:]CTRPORT[/tcp|udp]}.
 *
 * @param hostIp the host address to accept on ("" : 0.0.0.0, as Docker)
 * @param hostPort 0: a free port chosen when the container starts
 */
public record PortMapping(String hostIp, int hostPort, int containerPort, String protocol) {
  public PortMapping {
    hostIp = hostIp == null ? "" : hostIp;
    protocol = protocol == null ? "tcp" : protocol.toLowerCase(Locale.ROOT);
    if (!protocol.equals("tcp") && !protocol.equals("udp")) {
      throw new IllegalArgumentException("protocol must be tcp or udp: " + protocol);
    }
    if (hostPort < 0 || hostPort > 65535 || containerPort < 1 || containerPort > 65535) {
      throw new IllegalArgumentException("port out of range");
    }
  }

  /** Docker's {@code port} line: {@code 80/tcp -> 127.0.0.1:8080}. */
  public String describe() {
    return containerPort
        + "/"
        + protocol
        + " -> "
        + (hostIp.isEmpty() ? "0.0.0.0" : hostIp.contains(":") ? "[" + hostIp + "]" : hostIp)
        + ":"
        + hostPort;
  }

  /** Docker's {@code ps} PORTS form: {@code 0.0.0.0:8080->80/tcp}. */
  public String psForm() {
    return (hostIp.isEmpty() ? "0.0.0.0" : hostIp.contains(":") ? "[" + hostIp + "]" : hostIp)
        + ":"
        + hostPort
        + "->"
        + containerPort
        + "/"
        + protocol;
  }
}
