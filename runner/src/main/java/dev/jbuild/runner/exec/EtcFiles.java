package dev.jbuild.runner.exec;

import dev.jbuild.runner.ExtraHost;
import dev.jbuild.runner.Network;
import dev.jbuild.runner.net.UserNetwork;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * The /etc/hosts and /etc/resolv.conf a run sees. They are written per run outside the rootfs and
 * bind-mounted read-only, so they never end up in a layer.
 */
public final class EtcFiles {
  private static final Path HOST_RESOLV_CONF = Path.of("/etc/resolv.conf");
  private static final Path RESOLVED_UPSTREAM = Path.of("/run/systemd/resolve/resolv.conf");

  private EtcFiles() {}

  public static String hosts(String hostname) {
    return "127.0.0.1\tlocalhost "
        + hostname
        + "\n::1\tlocalhost ip6-localhost ip6-loopback\n"
        + "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n"
        + "ff02::2\tip6-allrouters\n";
  }

  /**
   * The host's resolv.conf; with its own network namespace a run cannot reach a loopback resolver
   * (systemd-resolved's 127.0.0.53): on the private network the loopback nameservers are replaced
   * by the network stack's DNS forwarder (which asks the host's resolver), with {@code none} the
   * upstream file is used, as Docker does.
   */
  public static String resolvConf(Network network) throws IOException {
    String host = read(HOST_RESOLV_CONF);
    if (network == Network.PRIVATE) {
      return withForwarder(host, UserNetwork.DNS);
    }
    if (network != Network.HOST && host.contains("nameserver 127.")) {
      String upstream = read(RESOLVED_UPSTREAM);
      if (!upstream.isEmpty()) {
        return upstream;
      }
    }
    return host;
  }

  /** {@code conf} with its loopback nameservers replaced by one line for {@code forwarder}. */
  static String withForwarder(String conf, String forwarder) {
    StringBuilder out = new StringBuilder(conf.length() + 32);
    boolean replaced = false;
    for (String line : conf.split("\n", -1)) {
      String[] f = line.strip().split("\\s+");
      if (f.length >= 2 && f[0].equals("nameserver") && isLoopback(f[1])) {
        if (!replaced) {
          out.append("nameserver ").append(forwarder).append('\n');
          replaced = true;
        }
        continue;
      }
      out.append(line).append('\n');
    }
    String s = out.toString();
    // split(..., -1) keeps the empty piece after the last newline: drop the extra newline
    return s.endsWith("\n\n") && !conf.endsWith("\n\n") ? s.substring(0, s.length() - 1) : s;
  }

  private static boolean isLoopback(String address) {
    return address.startsWith("127.") || address.equals("::1") || address.equals("0:0:0:0:0:0:0:1");
  }

  /**
   * The hosts file with the {@code --add-host} entries after Docker's lines (in their order, as
   * Docker appends them); host-gateway is the address at which the step reaches the host on its
   * network.
   */
  public static String hosts(String hostname, Network network, List<ExtraHost> extra) {
    StringBuilder b = new StringBuilder(hosts(hostname));
    for (ExtraHost h : extra) {
      b.append(h.hostsLine(hostGateway(network)));
    }
    return b.toString();
  }

  /**
   * Docker's host-gateway for a step on {@code network}: slirp4netns's gateway on the private
   * network (it forwards to the host's addresses other than loopback), the loopback address on the
   * host's network (the step is on the host), and the same loopback on none (nothing is reachable).
   */
  public static String hostGateway(Network network) {
    return network == Network.PRIVATE ? UserNetwork.GATEWAY : "127.0.0.1";
  }

  /**
   * Writes hosts and resolv.conf into {@code dir}; returns {hosts, resolv.conf}. {@code extraHosts}
   * are a build's {@code --add-host} entries; {@code dns} a container's {@code --dns} servers
   * (replacing the nameservers, other lines kept) and {@code hostsEntries} its {@code --add-host}
   * entries ({@code NAME:IP}, appended).
   */
  static Path[] write(
      Path dir,
      String hostname,
      Network network,
      List<ExtraHost> extraHosts,
      List<String> dns,
      List<String> hostsEntries)
      throws IOException {
    Files.createDirectories(dir);
    Path hosts = dir.resolve("hosts");
    Path resolv = dir.resolve("resolv.conf");
    Files.writeString(
        hosts,
        hosts(hostname, network, extraHosts) + extraHosts(hostsEntries),
        StandardCharsets.UTF_8);
    String conf = resolvConf(network);
    Files.writeString(
        resolv, dns.isEmpty() ? conf : withServers(conf, dns), StandardCharsets.UTF_8);
    return new Path[] {hosts, resolv};
  }

  /** {@code NAME:IP} entries as hosts lines ({@code IP\tNAME}); the IP may hold colons (IPv6). */
  static String extraHosts(List<String> entries) {
    StringBuilder out = new StringBuilder();
    for (String e : entries) {
      int colon = e.indexOf(':');
      out.append(e.substring(colon + 1)).append('\t').append(e, 0, colon).append('\n');
    }
    return out.toString();
  }

  /** {@code conf} with every nameserver line replaced by {@code servers}. */
  static String withServers(String conf, List<String> servers) {
    StringBuilder out = new StringBuilder();
    for (String line : conf.split("\n")) {
      String[] f = line.strip().split("\\s+");
      if (!(f.length >= 1 && f[0].equals("nameserver")) && !line.isBlank()) {
        out.append(line).append('\n');
      }
    }
    for (String s : servers) {
      out.append("nameserver ").append(s).append('\n');
    }
    return out.toString();
  }

  private static String read(Path p) throws IOException {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "";
    }
  }
}
