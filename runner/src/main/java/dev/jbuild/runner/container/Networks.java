package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.store.AtomicFiles;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.store.StorePermissions;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.Trees;
import dev.jbuild.runner.net.Bridge;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * User networks ({@code jbuild network create}): {@code <store>/networks/<name>/network.json} and
 * the network's namespace {@code netns} (its bridge, see {@link Bridge}), made when a container
 * first joins. Records are made and removed by rename, as volumes; changes happen under the same
 * store lock as volumes ({@link Volumes#lock()}), which also covers the address a container gets.
 */
public final class Networks {
  public static final String DIR = "networks";
  static final String RECORD = "network.json";
  static final Set<String> RESERVED = Set.of("default", "bridge", "host", "none");
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MAX_NETWORKS = 200;

  private final Path dir;
  private final Store store;

  private Networks(Store store) {
    this.store = store;
    this.dir = store.root().resolve(DIR);
  }

  public static Networks open(Store store) {
    return new Networks(store);
  }

  public static boolean validName(String name) {
    return name != null && Names.VALID.matcher(name).matches() && !RESERVED.contains(name);
  }

  /** Creates network {@code name}; an existing name is an error, as Docker's. Under the lock. */
  public NetworkRecord create(String name, Map<String, String> labels) throws IOException {
    if (!validName(name)) {
      throw new RunnerException(
          "invalid network name \""
              + name
              + "\": [a-zA-Z0-9][a-zA-Z0-9_.-]*, not default, bridge, host or none",
          RunnerErrors.CANNOT_CREATE);
    }
    if (find(name).isPresent()) {
      throw new RunnerException(
          "network with name " + name + " already exists", RunnerErrors.CANNOT_CREATE);
    }
    Set<Integer> used = new HashSet<>();
    for (NetworkRecord n : list()) {
      used.add(n.index());
    }
    int index = 0;
    while (used.contains(index)) {
      index++;
    }
    if (index >= MAX_NETWORKS) {
      throw new RunnerException(
          "no free subnet: remove a network first", RunnerErrors.CANNOT_CREATE);
    }
    NetworkRecord rec = new NetworkRecord(name, hex(), index, Instant.now(), labels);
    StorePermissions.createPrivateDirectories(dir);
    Path tmp = dir.resolve(".tmp-" + hex().substring(0, 16));
    Files.createDirectory(tmp);
    try {
      AtomicFiles.write(
          tmp.resolve(RECORD),
          rec.toJson().toBytes(),
          AtomicFiles.Options.DEFAULT.stagedIn(store.stagingDir()));
      Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.fsyncDir(dir);
      return rec;
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      Trees.deleteQuietly(tmp);
      throw new RunnerException(
          "network with name " + name + " already exists", RunnerErrors.CANNOT_CREATE);
    } catch (IOException | RuntimeException e) {
      Trees.deleteQuietly(tmp);
      throw e;
    }
  }

  /** The network named {@code ref}, or whose id starts with {@code ref}. */
  public Optional<NetworkRecord> find(String ref) throws IOException {
    if (ref == null || ref.isEmpty()) {
      return Optional.empty();
    }
    if (Names.VALID.matcher(ref).matches()) {
      try {
        return Optional.of(
            NetworkRecord.fromJson(
                Json.parseObject(Files.readAllBytes(dir.resolve(ref).resolve(RECORD)))));
      } catch (NoSuchFileException e) {
        // maybe an id
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new RunnerException(
            "network " + ref + " has a corrupt " + RECORD, RunnerErrors.CANNOT_CREATE);
      }
    }
    List<NetworkRecord> byId = list().stream().filter(n -> n.id().startsWith(ref)).toList();
    return byId.size() == 1 ? Optional.of(byId.getFirst()) : Optional.empty();
  }

  public NetworkRecord get(String ref) throws IOException {
    return find(ref)
        .orElseThrow(
            () -> new RunnerException("network " + ref + " not found", RunnerErrors.CANNOT_CREATE));
  }

  public List<NetworkRecord> list() throws IOException {
    List<NetworkRecord> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String n = p.getFileName().toString();
        if (n.startsWith(".rm-") || (n.startsWith(".tmp-") && old(p))) {
          Trees.deleteQuietly(p); // a removal or a creation a killed jbuild did not finish
        } else if (!n.startsWith(".")) {
          try {
            out.add(
                NetworkRecord.fromJson(Json.parseObject(Files.readAllBytes(p.resolve(RECORD)))));
          } catch (NoSuchFileException | IllegalArgumentException e) {
            // half made or corrupt: not a network
          }
        }
      }
    }
    out.sort(Comparator.comparing(NetworkRecord::name));
    return out;
  }

  /**
   * Removes network {@code ref} unless a running container is on it ({@code running}: network name
   * to container names). Under the lock.
   */
  public void remove(String ref, Map<String, List<String>> running) throws IOException {
    NetworkRecord n = get(ref);
    List<String> by = running.getOrDefault(n.name(), List.of());
    if (!by.isEmpty()) {
      throw new RunnerException(
          "error while removing network: network "
              + n.name()
              + " has active endpoints ("
              + String.join(", ", by)
              + ")",
          RunnerErrors.CANNOT_CREATE);
    }
    Path gone = dir.resolve(".rm-" + hex().substring(0, 16));
    Bridge.remove(dir.resolve(n.name()));
    Files.move(dir.resolve(n.name()), gone, StandardCopyOption.ATOMIC_MOVE);
    Trees.delete(gone);
  }

  /** The network's directory (its namespace lives there). */
  Path dir(NetworkRecord n) {
    return dir.resolve(n.name());
  }

  private static boolean old(Path p) throws IOException {
    return Files.getLastModifiedTime(p).toInstant().isBefore(Instant.now().minusSeconds(3600));
  }

  private static String hex() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
