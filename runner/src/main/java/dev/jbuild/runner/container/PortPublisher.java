package dev.jbuild.runner.container;

import dev.jbuild.runner.Network;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.net.SlirpApi;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code -p} and {@code -P}: each published port becomes a forward of the container's user-mode
 * stack (slirp4netns {@code add_hostfwd}): slirp4netns accepts on the host address and connects to
 * the port inside the container's namespace. No iptables, no bridge on the host, no container
 * address on the host's network; the forward ends with the stack, i.e. with the container.
 */
final class PortPublisher {
  private PortPublisher() {}

  /** The ports to publish: {@code -p}'s, then with {@code -P} every EXPOSEd one not given. */
  static List<PortMapping> wanted(RunOptions o, Set<String> exposed) throws RunnerException {
    List<PortMapping> out = new ArrayList<>(o.wiring().ports());
    if (!out.isEmpty() && (o.network() != Network.PRIVATE || o.wiring().joinContainer() != null)) {
      throw new RunnerException(
          "conflicting options: port publishing needs the container's own network"
              + " (--network default)",
          RunnerErrors.CANNOT_CREATE);
    }
    if (o.wiring().publishAll()
        && o.network() == Network.PRIVATE
        && o.wiring().joinContainer() == null
        && exposed != null) {
      for (String e : exposed.stream().sorted().toList()) {
        String[] f = e.split("/", 2);
        int port;
        try {
          port = Integer.parseInt(f[0]);
        } catch (NumberFormatException ex) {
          continue; // a range or garbage in the image: not published
        }
        String proto = f.length > 1 ? f[1] : "tcp";
        if (port < 1 || port > 65535 || !(proto.equals("tcp") || proto.equals("udp"))) {
          continue;
        }
        boolean given =
            out.stream().anyMatch(p -> p.containerPort() == port && p.protocol().equals(proto));
        if (!given) {
          out.add(new PortMapping("", 0, port, proto));
        }
      }
    }
    return out;
  }

  /** Publishes {@code ports} through the stack in {@code netDir}; returns them with real ports. */
  static List<PortMapping> publish(Path netDir, List<PortMapping> ports) throws IOException {
    List<PortMapping> out = new ArrayList<>();
    for (PortMapping p : ports) {
      String addr = p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp();
      if (addr.contains(":")) {
        throw new RunnerException(
            "cannot publish port on " + addr + ": the user-mode stack forwards IPv4 only",
            RunnerErrors.CANNOT_CREATE);
      }
      int hostPort = p.hostPort() == 0 ? freePort(addr, p.protocol()) : p.hostPort();
      SlirpApi.addHostForward(netDir, p.protocol(), addr, hostPort, p.containerPort());
      out.add(new PortMapping(p.hostIp(), hostPort, p.containerPort(), p.protocol()));
    }
    return out;
  }

  /** A port the kernel says is free on {@code addr} now (Docker picks from the same range). */
  private static int freePort(String addr, String proto) throws IOException {
    InetAddress a = InetAddress.getByName(addr); // a literal: no lookup
    if (proto.equals("udp")) {
      try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(a, 0))) {
        return s.getLocalPort();
      }
    }
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(a, 0), 1);
      return s.getLocalPort();
    }
  }
}
