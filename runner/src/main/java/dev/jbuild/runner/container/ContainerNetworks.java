package dev.jbuild.runner.container;

import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.net.Bridge;
import dev.jbuild.runner.net.UserNetwork;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Containers on user networks: an address per network (allocated under the store lock, kept in the
 * container's {@code wiring.json}), a veth from the container's namespace to the network's bridge,
 * and names: every running container on a network is in the {@code /etc/hosts} of every other one
 * (its name, its aliases, its short id), rewritten in place (same inode, so the read-only bind
 * mount in a running container shows the new text) whenever a container joins or leaves.
 */
final class ContainerNetworks {
  static final String HOSTS_MARK = "# jbuild user networks";

  private ContainerNetworks() {}

  /** The lowest free address of {@code n} among every container's endpoints. */
  static WiringRecord.Endpoint allocate(
      NetworkRecord n, List<WiringRecord> all, List<String> aliases) throws RunnerException {
    Set<String> used = new HashSet<>();
    for (WiringRecord w : all) {
      for (WiringRecord.Endpoint e : w.networks()) {
        if (e.network().equals(n.name())) {
          used.add(e.ip());
        }
      }
    }
    for (int i = 2; i < 65534; i++) {
      String ip = n.address(i);
      if (!used.contains(ip) && !ip.endsWith(".0") && !ip.endsWith(".255")) {
        return new WiringRecord.Endpoint(n.name(), ip, aliases);
      }
    }
    throw new RunnerException(
        "network " + n.name() + " has no free address", RunnerErrors.CANNOT_CREATE);
  }

  /** The container's interface for its {@code k}-th network (eth1, eth2, ...). */
  static String ifname(int k) {
    return "eth" + (k + 1);
  }

  /** The bridge side of the container's veth: unique in the network's namespace. */
  static String hostSide(String id) {
    return "v" + id.substring(0, 12);
  }

  /** Connects the container's namespace ({@code cdir/netns}) to network {@code n}. */
  static void attach(Networks nets, NetworkRecord n, Path cdir, String id, int k, String ip)
      throws IOException {
    Path netns = cdir.resolve(UserNetwork.NETNS);
    if (!Files.exists(netns)) {
      throw new RunnerException(
          "a user network needs the container's own network namespace", RunnerErrors.CANNOT_CREATE);
    }
    Bridge.ensure(nets.dir(n), n.gateway() + "/16");
    Bridge.attach(nets.dir(n), netns, hostSide(id), ifname(k), ip + "/16");
  }

  /** A running container: where its files are, its name and id, its wiring. */
  record Member(Path cdir, String id, String name, WiringRecord wiring) {}

  /**
   * Rewrites the user-network section of the hosts file of every member: one line per member on a
   * network it shares (address, name, aliases, short id).
   */
  static void refreshHosts(List<Member> running) throws IOException {
    for (Member m : running) {
      Set<String> mine = new HashSet<>();
      m.wiring().networks().forEach(e -> mine.add(e.network()));
      if (mine.isEmpty() || Files.exists(m.cdir().resolve("etc").resolve(EmbeddedDns.UPSTREAM))) {
        continue; // its names come from the embedded DNS server
      }
      Map<String, String> lines = new LinkedHashMap<>();
      for (Member o : running) {
        for (WiringRecord.Endpoint e : o.wiring().networks()) {
          if (mine.contains(e.network())) {
            List<String> names = new ArrayList<>();
            names.add(o.name());
            names.addAll(e.aliases());
            names.add(o.id().substring(0, 12));
            lines.putIfAbsent(e.ip(), e.ip() + "\t" + String.join(" ", names));
          }
        }
      }
      writeSection(m.cdir().resolve("etc").resolve("hosts"), lines.values());
    }
  }

  private static void writeSection(Path hosts, java.util.Collection<String> lines)
      throws IOException {
    String text;
    try {
      text = Files.readString(hosts, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return; // the container is gone meanwhile
    }
    int mark = text.indexOf(HOSTS_MARK);
    StringBuilder out = new StringBuilder(mark < 0 ? text : text.substring(0, mark));
    out.append(HOSTS_MARK).append('\n');
    for (String l : lines) {
      out.append(l).append('\n');
    }
    // in place: the container's bind mount holds this inode
    Files.writeString(
        hosts,
        out.toString(),
        StandardCharsets.UTF_8,
        StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING);
  }
}
