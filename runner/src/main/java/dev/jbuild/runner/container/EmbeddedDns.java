package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.runner.net.DnsServer;
import dev.jbuild.runner.net.UserNetwork;
import dev.jbuild.runner.workspace.RunDir;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Docker's embedded DNS for a container on user networks: its resolv.conf names 127.0.0.11 (the
 * nameservers it would have had are kept in {@code etc/resolv.upstream}), and the process that
 * watches it (its monitor, or the jbuild of an attached run) serves a {@link DnsServer} at
 * 127.0.0.11:53 inside the container's network namespace. Names are looked up in the store at each
 * query: every running container sharing a network with this one, by name, alias, short id, and
 * {@code NAME.NETWORK}; a container that stopped or was removed is no longer found (NXDOMAIN).
 */
final class EmbeddedDns {
  static final String UPSTREAM = "resolv.upstream";
  private static final int PORT = 53;

  private EmbeddedDns() {}

  /**
   * Points the container's generated resolv.conf at the embedded server (search and options lines
   * kept, {@code ndots:0} as Docker writes it) and records its nameservers as the upstream.
   */
  static void configure(Path cdir) throws IOException {
    Path etc = cdir.resolve("etc");
    Path resolv = etc.resolve("resolv.conf");
    List<String> servers = new ArrayList<>();
    StringBuilder conf = new StringBuilder();
    for (String line : Files.readAllLines(resolv, StandardCharsets.UTF_8)) {
      String[] f = line.strip().split("\\s+");
      if (f.length >= 2 && f[0].equals("nameserver")) {
        if (!f[1].contains(":") && !f[1].startsWith("127.")) {
          servers.add(f[1]); // IPv4: the forwarder's socket is IPv4
        }
        continue;
      }
      if (f.length >= 1 && f[0].equals("options")) {
        continue;
      }
      conf.append(line).append('\n');
    }
    conf.append("nameserver ").append(DnsServer.ADDRESS).append('\n');
    conf.append("options ndots:0\n");
    Files.writeString(
        etc.resolve(UPSTREAM), String.join("\n", servers) + "\n", StandardCharsets.US_ASCII);
    Files.writeString(resolv, conf.toString(), StandardCharsets.UTF_8);
  }

  /** Serves the container's names when it uses the embedded DNS; null otherwise. */
  static DnsServer startIfConfigured(Path cdir) throws IOException {
    Path upstreamFile = cdir.resolve("etc").resolve(UPSTREAM);
    Path netns = cdir.resolve(UserNetwork.NETNS);
    if (!Files.exists(upstreamFile) || !Files.exists(netns)) {
      return null;
    }
    List<InetSocketAddress> upstream = new ArrayList<>();
    for (String s : Files.readAllLines(upstreamFile, StandardCharsets.US_ASCII)) {
      if (!s.isBlank()) {
        upstream.add(new InetSocketAddress(InetAddress.ofLiteral(s.strip()), PORT));
      }
    }
    return DnsServer.start(
        netns, new InetSocketAddress(DnsServer.ADDRESS, PORT), names(cdir), upstream);
  }

  /** The names container directory {@code cdir} reaches on its networks. */
  static DnsServer.Names names(Path cdir) {
    Path all = cdir.getParent();
    String self = cdir.getFileName().toString();
    return name -> {
      Set<String> mine = new HashSet<>();
      WiringRecord.read(cdir).networks().forEach(e -> mine.add(e.network()));
      List<Inet4Address> out = new ArrayList<>();
      boolean found = false;
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(all)) {
        for (Path p : ds) {
          String id = p.getFileName().toString();
          if (id.startsWith(".")) {
            continue;
          }
          WiringRecord w = WiringRecord.read(p);
          if (w.networks().stream().noneMatch(e -> mine.contains(e.network()))) {
            continue;
          }
          String cname = nameOf(p);
          if (cname == null || !running(p, id.equals(self))) {
            continue;
          }
          for (WiringRecord.Endpoint e : w.networks()) {
            if (!mine.contains(e.network()) || !matches(name, cname, id, e)) {
              continue;
            }
            found = true;
            InetAddress a = InetAddress.ofLiteral(e.ip());
            if (a instanceof Inet4Address v4 && !out.contains(v4)) {
              out.add(v4);
            }
          }
        }
      } catch (NoSuchFileException e) {
        return Optional.empty();
      }
      return found ? Optional.of(out) : Optional.empty();
    };
  }

  private static boolean matches(String q, String cname, String id, WiringRecord.Endpoint e) {
    List<String> names = new ArrayList<>();
    names.add(cname);
    names.addAll(e.aliases());
    names.add(id.substring(0, Math.min(12, id.length())));
    for (String n : names) {
      String l = n.toLowerCase(Locale.ROOT);
      if (q.equals(l) || q.equals(l + "." + e.network().toLowerCase(Locale.ROOT))) {
        return true;
      }
    }
    return false;
  }

  private static String nameOf(Path cdir) {
    try {
      return ContainerRecord.fromJson(
              Json.parseObject(Files.readAllBytes(cdir.resolve(Containers.RECORD))))
          .name();
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }

  /** Running: no exit recorded and its watcher alive (the asking container itself always is). */
  private static boolean running(Path cdir, boolean self) throws IOException {
    if (Files.exists(cdir.resolve(Containers.EXIT_CODE))) {
      return false;
    }
    return self || RunDir.ownerAlive(cdir);
  }
}
