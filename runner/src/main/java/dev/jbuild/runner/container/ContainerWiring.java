package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.net.UserNetwork;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What containers are wired to, across containers: which volumes and user networks they use, the
 * network of another container to join, {@code network connect}/{@code disconnect} and the hosts
 * files of a network's containers. {@link Containers} delegates here.
 */
final class ContainerWiring {
  private final Containers c;
  private final Store store;
  private final Path dir;
  private final Volumes volumes;
  private final Networks networks;

  ContainerWiring(Containers c, Store store, Path dir, Volumes volumes, Networks networks) {
    this.c = c;
    this.store = store;
    this.dir = dir;
    this.volumes = volumes;
    this.networks = networks;
  }

  /**
   * {@code --network container:REF}: the network namespace of that running container (its private
   * network's), or null without one.
   */
  Path joinedNetns(RunOptions o) throws IOException {
    String ref = o.wiring().joinContainer();
    if (ref == null) {
      return null;
    }
    ContainerState other = c.find(ref);
    Path netns = dir.resolve(other.record().id()).resolve(UserNetwork.NETNS);
    if (!other.isRunning() || !Files.exists(netns)) {
      throw new RunnerException(
          "cannot join the network of container "
              + ref
              + ": "
              + (other.isRunning()
                  ? "it has no network of its own (--network host or none)"
                  : "it is not running"),
          RunnerErrors.CANNOT_CREATE);
    }
    return netns;
  }

  /** Running containers per user network (names), for {@code network rm} and {@code prune}. */
  java.util.Map<String, List<String>> networkUsers() throws IOException {
    java.util.Map<String, List<String>> out = new java.util.TreeMap<>();
    for (ContainerNetworks.Member m : running()) {
      for (WiringRecord.Endpoint e : m.wiring().networks()) {
        out.computeIfAbsent(e.network(), k -> new ArrayList<>()).add(m.name());
      }
    }
    return out;
  }

  /**
   * {@code network connect}: joins running container {@code ref} to network {@code net} (an
   * address, a veth to the bridge, the hosts files of the network's containers).
   */
  void connect(String net, String ref, List<String> aliases) throws IOException {
    ContainerState s = c.find(ref);
    if (!s.isRunning()) {
      throw new RunnerException("container " + ref + " is not running", RunnerErrors.CANNOT_CREATE);
    }
    Path cdir = dir.resolve(s.record().id());
    WiringRecord.Endpoint e;
    int k;
    NetworkRecord n;
    try (Volumes.Lock _ = volumes.lock()) {
      n = networks.get(net);
      WiringRecord w = WiringRecord.read(cdir);
      if (w.networks().stream().anyMatch(x -> x.network().equals(n.name()))) {
        throw new RunnerException(
            "container " + ref + " is already on network " + n.name(), RunnerErrors.CANNOT_CREATE);
      }
      e = ContainerNetworks.allocate(n, wirings(), aliases);
      k = w.networks().size();
      List<WiringRecord.Endpoint> eps = new ArrayList<>(w.networks());
      eps.add(e);
      c.writeAtomically(cdir.resolve(WiringRecord.FILE), w.withNetworks(eps).toJson().toBytes());
    }
    ContainerNetworks.attach(networks, n, cdir, s.record().id(), k, e.ip());
    refreshHosts();
  }

  /** {@code network disconnect}: the container leaves the network (its veth removed). */
  void disconnect(String net, String ref) throws IOException {
    ContainerState s = c.find(ref);
    Path cdir = dir.resolve(s.record().id());
    NetworkRecord n;
    try (Volumes.Lock _ = volumes.lock()) {
      n = networks.get(net);
      WiringRecord w = WiringRecord.read(cdir);
      List<WiringRecord.Endpoint> eps =
          w.networks().stream().filter(x -> !x.network().equals(n.name())).toList();
      if (eps.size() == w.networks().size()) {
        throw new RunnerException(
            "container " + ref + " is not connected to network " + n.name(),
            RunnerErrors.CANNOT_CREATE);
      }
      c.writeAtomically(cdir.resolve(WiringRecord.FILE), w.withNetworks(eps).toJson().toBytes());
    }
    if (s.isRunning()) {
      dev.jbuild.runner.net.Bridge.detach(
          networks.dir(n), ContainerNetworks.hostSide(s.record().id()));
    }
    refreshHosts();
  }

  List<ContainerNetworks.Member> running() throws IOException {
    List<ContainerNetworks.Member> out = new ArrayList<>();
    for (ContainerState s : c.list()) {
      if (s.isRunning()) {
        Path cdir = dir.resolve(s.record().id());
        out.add(
            new ContainerNetworks.Member(
                cdir, s.record().id(), s.record().name(), WiringRecord.read(cdir)));
      }
    }
    return out;
  }

  void refreshHosts() throws IOException {
    ContainerNetworks.refreshHosts(running());
  }

  List<WiringRecord> wirings() throws IOException {
    List<WiringRecord> out = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        for (Path p : ds) {
          if (!p.getFileName().toString().startsWith(".")) {
            out.add(WiringRecord.read(p));
          }
        }
      }
    }
    return out;
  }

  /** Every volume in use, with the containers (names) that use it, running or not. */
  java.util.Map<String, List<String>> volumeUsers() throws IOException {
    return volumeUsers(store);
  }

  /**
   * As {@link #volumeUsers()}, without opening the containers (no runtime, no sweep): for {@code
   * system df}.
   */
  static java.util.Map<String, List<String>> volumeUsers(Store store) throws IOException {
    Path dir = store.root().resolve(Containers.DIR);
    java.util.Map<String, List<String>> out = new java.util.TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String id = p.getFileName().toString();
        if (id.startsWith(".")) {
          continue;
        }
        String who;
        try {
          who =
              ContainerRecord.fromJson(
                      Json.parseObject(Files.readAllBytes(p.resolve(Containers.RECORD))))
                  .name();
        } catch (IOException | IllegalArgumentException e) {
          who = id.substring(0, Math.min(12, id.length()));
        }
        for (WiringRecord.UsedVolume v : WiringRecord.read(p).volumes()) {
          out.computeIfAbsent(v.name(), k -> new ArrayList<>()).add(who);
        }
      }
    }
    return out;
  }

  void removeAnonymousVolumes(String id) throws IOException {
    for (WiringRecord.UsedVolume v : WiringRecord.read(dir.resolve(id)).volumes()) {
      if (v.anonymous()) {
        volumes.removeAnonymous(v.name());
      }
    }
  }
}
