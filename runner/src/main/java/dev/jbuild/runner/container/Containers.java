package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.AtomicFiles;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.store.StorePermissions;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.Trees;
import dev.jbuild.runner.exec.ProcessSpec;
import dev.jbuild.runner.exec.Runtimes;
import dev.jbuild.runner.exec.Sandbox;
import dev.jbuild.runner.net.UserNetwork;
import dev.jbuild.runner.runc.OciRuntime;
import dev.jbuild.runner.runc.RuntimeProcess;
import dev.jbuild.runner.sys.MountTable;
import dev.jbuild.runner.workspace.ProcessIdentity;
import dev.jbuild.runner.workspace.RunDir;
import dev.jbuild.runner.workspace.Sweeps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Containers started by {@code jbuild run}, with their state under {@code
 * <store>/containers/<id>/}: {@code container.json}, {@code owner} (the process watching it: the
 * foreground jbuild, or a detached container's monitor shell), {@code exitcode} once it exited,
 * {@code log} (output of a detached container), and the bundle ({@code config.json}, {@code
 * rootfs/}, {@code upper/}, {@code work/}, {@code etc/}). The rootfs is an overlay of the image's
 * layers and the container's own upper directory. The image is pinned in {@code gcroots/} while the
 * container exists.
 */
public final class Containers {
  public static final String DIR = "containers";
  static final String RECORD = "container.json";
  static final String EXIT_CODE = "exitcode";
  static final String LOG = "log";
  private static final String NAMES = ".names";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Store store;
  private final Path dir;
  private final OciRuntime runtime;
  private final Volumes volumes;
  private final Networks networks;
  private final ContainerWiring wiring;

  private Containers(Store store, OciRuntime runtime) throws IOException {
    this.store = store;
    this.dir = store.root().resolve(DIR);
    this.runtime = runtime;
    this.volumes = Volumes.open(store);
    this.networks = Networks.open(store);
    this.wiring = new ContainerWiring(this, store, dir, volumes, networks);
  }

  /** Containers of {@code store}, run by {@code runtimeBinary} (null: runc). */
  public static Containers open(Store store, Path runtimeBinary) throws IOException {
    OciRuntime rt =
        Runtimes.forStore(store.root(), runtimeBinary == null ? Path.of("runc") : runtimeBinary);
    Containers c = new Containers(store, rt);
    Sweeps.once(store.root(), rt);
    c.sweep();
    return c;
  }

  /** A container created and mounted, not started yet. */
  public final class Created {
    private final ContainerRecord record;
    private final Sandbox sandbox;

    Created(ContainerRecord record, Sandbox sandbox) {
      this.record = record;
      this.sandbox = sandbox;
    }

    public ContainerRecord record() {
      return record;
    }
  }

  /** Creates container directory, record and gcroot, mounts its rootfs, writes its bundle. */
  public Created create(String imageName, Image image, RunOptions o) throws IOException {
    if (dev.jbuild.runner.Isolation.current() == dev.jbuild.runner.Isolation.CHROOT) {
      throw dev.jbuild.runner.RunnerErrors.chrootUnsupported("jbuild run");
    }
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    String id = HexFormat.of().formatHex(b);
    String name = reserveName(o.name(), id);
    Path cdir = dir.resolve(id);
    RunDir rd;
    try {
      rd = RunDir.at(id, cdir);
    } catch (IOException e) {
      releaseName(name);
      throw e;
    }
    Sandbox sb = null;
    List<String> anonymous = new ArrayList<>();
    NetworkRecord network = null;
    try {
      List<ContainerVolumes.Resolved> vols;
      // under the volume lock until the wiring names them: a volume in use is never removed
      try (Volumes.Lock _ = volumes.lock()) {
        vols = ContainerVolumes.resolve(volumes, image.config().configOrEmpty(), o, id, anonymous);
        List<WiringRecord.Endpoint> endpoints = new ArrayList<>();
        if (o.wiring().userNetwork() != null) {
          network = networks.get(o.wiring().userNetwork());
          endpoints.add(
              ContainerNetworks.allocate(network, wiring.wirings(), o.wiring().aliases()));
        }
        writeAtomically(
            cdir.resolve(WiringRecord.FILE),
            new WiringRecord(
                    vols.stream().map(ContainerVolumes.Resolved::used).toList(),
                    List.of(),
                    endpoints)
                .toJson()
                .toBytes());
      }
      ProcessSpec p = ImageRuns.process(image.config(), o, id);
      if (!vols.isEmpty()) {
        List<dev.jbuild.runner.RunMount> mounts = new ArrayList<>(p.mounts());
        mounts.addAll(ContainerVolumes.mounts(vols));
        p = p.withMounts(mounts);
      }
      List<Digest> layers = image.config().diffIds();
      ContainerRecord rec =
          new ContainerRecord(
              id,
              name,
              imageName,
              image.manifestDigest(),
              layers,
              p.argv(),
              Instant.now(),
              o.autoRemove(),
              o.detach(),
              image.config().configOrEmpty().stopSignal());
      writeAtomically(cdir.resolve(RECORD), rec.toJson().toBytes());
      writeAtomically(
          gcRoot(id),
          JsonObject.builder()
              .put("digests", Json.ofStrings(List.of(image.manifestDigest().toString())))
              .build()
              .toBytes());
      List<Path> lowers = store.layers().unpacked(layers).reversed();
      Path joinNetns = wiring.joinedNetns(o);
      List<PortMapping> ports =
          PortPublisher.wanted(o, image.config().configOrEmpty().exposedPorts());
      sb = Sandbox.open(rd, runtime, lowers);
      ContainerVolumes.fill(vols, sb.rootfs());
      sb.etcEntries(o.wiring().dns(), o.wiring().addHosts());
      if (joinNetns != null) {
        sb.joinNetns(joinNetns);
      }
      if (!ports.isEmpty()) {
        sb.enableNetworkApi();
      }
      sb.prepare(p, o.detach());
      if (network != null) {
        ContainerNetworks.attach(
            networks, network, cdir, id, 0, WiringRecord.read(cdir).networks().getFirst().ip());
        wiring.refreshHosts();
      }
      if (!ports.isEmpty()) {
        List<PortMapping> published = PortPublisher.publish(cdir, ports);
        writeAtomically(
            cdir.resolve(WiringRecord.FILE),
            WiringRecord.read(cdir).withPorts(published).toJson().toBytes());
      }
      return new Created(rec, sb);
    } catch (IOException | RuntimeException | Error e) {
      if (sb != null) {
        sb.close();
      }
      deleteQuietly(id, name);
      for (String v : anonymous) {
        volumes.removeAnonymous(v);
      }
      throw e;
    }
  }

  /**
   * Runs a created container in the foreground: output streamed, SIGINT/SIGTERM/SIGHUP forwarded,
   * its exit code returned; with {@code --rm} it is removed afterwards, else kept (exited).
   */
  public int runAttached(Created c, Attach attach, boolean tty)
      throws IOException, InterruptedException {
    ContainerRecord rec = c.record;
    boolean ok = false;
    // handlers first: a signal that arrives while the runtime starts is forwarded once it runs
    java.util.concurrent.atomic.AtomicReference<RuntimeProcess> running =
        new java.util.concurrent.atomic.AtomicReference<>();
    List<Integer> early = new ArrayList<>();
    SignalForwarder forwarder =
        SignalForwarder.install(
            sig -> {
              RuntimeProcess p;
              synchronized (early) {
                p = running.get();
                if (p == null) {
                  early.add(sig);
                  return;
                }
              }
              try {
                p.signal(sig);
              } catch (IOException e) {
                // the runtime exited meanwhile
              }
            });
    try {
      int rc;
      try {
        RuntimeProcess p = c.sandbox.start(attach.runtimeIo(!tty));
        synchronized (early) {
          running.set(p);
          for (int sig : early) {
            p.signal(sig);
          }
        }
        rc = c.sandbox.await(p);
      } finally {
        forwarder.close();
      }
      recordExit(rec.id(), rc);
      c.sandbox.unmount();
      ok = true;
      return rc;
    } finally {
      if (rec.autoRemove() || !ok) {
        c.sandbox.close();
        wiring.removeAnonymousVolumes(rec.id());
        deleteQuietly(rec.id(), rec.name());
      } else {
        c.sandbox.release();
      }
    }
  }

  /**
   * Starts a created container in the background under a monitor shell, which records the exit
   * code, unmounts the rootfs and, with {@code --rm}, removes the container when it exits.
   */
  public String startDetached(Created c) throws IOException, InterruptedException {
    ContainerRecord rec = c.record;
    Path cdir = dir.resolve(rec.id());
    List<String> cmd =
        new ArrayList<>(List.of("/usr/bin/setsid", "/bin/sh", "-c", MONITOR, "jbuild-monitor"));
    cmd.add(cdir.toString());
    cmd.add(rec.autoRemove() ? "1" : "0");
    cmd.add(gcRoot(rec.id()).toString());
    cmd.add(dir.resolve(NAMES).resolve(rec.name()).toString());
    cmd.add(runtime.binary().toString());
    cmd.add(runtime.stateRoot().toString());
    cmd.add(rec.id());
    cmd.addAll(
        runtime.runCommand(rec.id(), cdir).subList(1, runtime.runCommand(rec.id(), cdir).size()));
    Process monitor;
    try {
      ProcessBuilder pb =
          new ProcessBuilder(cmd)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD);
      pb.environment().remove("JBUILD_NET_PID");
      pb.environment().remove("JBUILD_NETNS");
      c.sandbox
          .network()
          .ifPresent(
              n -> {
                pb.environment().put("JBUILD_NET_PID", Long.toString(n.pid()));
                pb.environment().put("JBUILD_NETNS", n.netns().toString());
              });
      monitor = pb.start();
      new RunDir(rec.id(), cdir).setOwner(ProcessIdentity.of(monitor.pid()));
    } catch (IOException e) {
      c.sandbox.close();
      deleteQuietly(rec.id(), rec.name());
      throw e;
    }
    c.sandbox.release();
    // wait until it runs, or report why it could not start
    for (int i = 0; i < 400; i++) {
      if (Files.exists(cdir.resolve(EXIT_CODE)) || !monitor.isAlive()) {
        Optional<String> error = runtime.loggedError(cdir);
        if (error.isPresent()) {
          throw runtime.failure(error.get());
        }
        return rec.id();
      }
      if (runtime.status(rec.id()).filter(s -> s.equals("running")).isPresent()) {
        return rec.id();
      }
      Thread.sleep(25);
    }
    return rec.id();
  }

  /**
   * The monitor of a detached container: $1 container dir, $2 --rm, $3 gcroot, $4 name file, $5
   * runtime, $6 state root, $7 id, then the runtime's run command without the binary.
   */
  private static final String MONITOR =
      "d=$1; rm=$2; root=$3; name=$4; rt=$5; state=$6; id=$7; shift 7\n"
          + "\"$rt\" \"$@\" </dev/null >>\"$d/log\" 2>&1\n"
          + "echo $? >\"$d/exitcode.tmp\" && { sync \"$d/exitcode.tmp\" 2>/dev/null;"
          + " mv \"$d/exitcode.tmp\" \"$d/exitcode\" && sync \"$d\" 2>/dev/null; }\n"
          + "umount -l \"$d/rootfs\" 2>/dev/null\n"
          // the private network's slirp4netns (by pid, only if it still is one) and its netns
          + "if [ -n \"$JBUILD_NET_PID\" ] && grep -q slirp4netns /proc/$JBUILD_NET_PID/cmdline"
          + " 2>/dev/null; then kill $JBUILD_NET_PID; fi\n"
          + "if [ -n \"$JBUILD_NETNS\" ]; then umount -l \"$JBUILD_NETNS\" 2>/dev/null;"
          + " rm -f \"$JBUILD_NETNS\"; fi\n"
          + "if [ \"$rm\" = 1 ]; then \"$rt\" --root \"$state\" delete --force \"$id\" >/dev/null 2>&1;"
          + " rm -rf --one-file-system \"$d\" \"$root\" \"$name\"; fi\n";

  /** All containers, newest first. */
  public List<ContainerState> list() throws IOException {
    List<ContainerState> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (!p.getFileName().toString().startsWith(".")) {
          state(p).ifPresent(out::add);
        }
      }
    }
    out.sort(Comparator.comparing((ContainerState s) -> s.record().created()).reversed());
    return out;
  }

  /** The container named by full id, unique id prefix, or name. */
  public ContainerState find(String ref) throws IOException {
    List<ContainerState> all = list();
    for (ContainerState s : all) {
      if (s.record().id().equals(ref) || s.record().name().equals(ref)) {
        return s;
      }
    }
    List<ContainerState> prefixed =
        all.stream().filter(s -> s.record().id().startsWith(ref)).toList();
    if (prefixed.size() == 1 && !ref.isEmpty()) {
      return prefixed.getFirst();
    }
    if (prefixed.size() > 1) {
      throw new RunnerException(
          "multiple containers match id prefix " + ref + ": give more characters",
          RunnerErrors.CANNOT_CREATE);
    }
    throw new ContainerNotFoundException(ref);
  }

  /**
   * Stops a running container: its stop signal (SIGTERM by default), then SIGKILL after {@code
   * timeout}. Returns false when it was not running.
   */
  public boolean stop(String ref, Duration timeout) throws IOException, InterruptedException {
    ContainerState s = find(ref);
    if (!s.isRunning()) {
      return false;
    }
    String id = s.record().id();
    String signal = s.record().stopSignal().replaceFirst("^SIG", "");
    runtime.kill(id, signal);
    if (!awaitExit(id, timeout)) {
      runtime.kill(id, "KILL");
      awaitExit(id, Duration.ofSeconds(10));
    }
    if (!WiringRecord.read(dir.resolve(id)).networks().isEmpty()) {
      wiring.refreshHosts();
    }
    return true;
  }

  /** Removes a container; a running one only with {@code force} (it is killed first). */
  public void remove(String ref, boolean force) throws IOException, InterruptedException {
    remove(ref, force, false);
  }

  /**
   * As {@link #remove(String, boolean)}; with {@code withVolumes} ({@code rm -v}) its anonymous
   * volumes go too (named ones stay, as in Docker).
   */
  public void remove(String ref, boolean force, boolean withVolumes)
      throws IOException, InterruptedException {
    ContainerState s = find(ref);
    String id = s.record().id();
    if (s.isRunning()) {
      if (!force) {
        throw new RunnerException(
            "cannot remove container "
                + ref
                + ": container is running: stop the container before removing or force remove",
            RunnerErrors.CANNOT_CREATE);
      }
      runtime.kill(id, "KILL");
      awaitExit(id, Duration.ofSeconds(10));
    }
    if (Files.exists(runtime.stateRoot().resolve(id))) {
      runtime.delete(id);
    }
    Path cdir = dir.resolve(id);
    UserNetwork.stopLeftover(cdir);
    MountTable.unmountAll(cdir);
    if (withVolumes) {
      wiring.removeAnonymousVolumes(id);
    }
    boolean networked = !WiringRecord.read(cdir).networks().isEmpty();
    Trees.delete(cdir);
    deleteQuietly(id, s.record().name());
    if (networked) {
      wiring.refreshHosts(); // its name leaves the hosts files of the network's containers
    }
  }

  /** The volumes and published ports of container {@code id} (EMPTY when it has none). */
  public WiringRecord wiring(String id) throws IOException {
    return WiringRecord.read(dir.resolve(id));
  }

  /** The store's user networks. */
  public Networks networks() {
    return networks;
  }

  /** The store's volumes (the same sweep and lock as this object's containers use). */
  public Volumes volumes() {
    return volumes;
  }

  /** Every volume in use, with the containers (names) that use it, running or not. */
  public java.util.Map<String, List<String>> volumeUsers() throws IOException {
    return wiring.volumeUsers();
  }

  /** As {@link #volumeUsers()}, without opening the containers: for {@code system df}. */
  public static java.util.Map<String, List<String>> volumeUsers(Store store) throws IOException {
    return ContainerWiring.volumeUsers(store);
  }

  /** Running containers per user network (names), for {@code network rm} and {@code prune}. */
  public java.util.Map<String, List<String>> networkUsers() throws IOException {
    return wiring.networkUsers();
  }

  /** {@code network connect}: joins running container {@code ref} to network {@code net}. */
  public void connect(String net, String ref, List<String> aliases) throws IOException {
    wiring.connect(net, ref, aliases);
  }

  /** {@code network disconnect}: the container leaves the network (its veth removed). */
  public void disconnect(String net, String ref) throws IOException {
    wiring.disconnect(net, ref);
  }

  /**
   * Cleans containers whose watcher died without recording an exit (jbuild killed in the
   * foreground, a reboot): runtime state deleted, rootfs unmounted; removed entirely with --rm.
   */
  public void sweep() throws IOException {
    for (ContainerState s : list()) {
      if (s.status() != ContainerState.Status.DEAD) {
        continue;
      }
      String id = s.record().id();
      Path cdir = dir.resolve(id);
      if (Files.exists(runtime.stateRoot().resolve(id))) {
        runtime.delete(id);
      }
      UserNetwork.stopLeftover(cdir);
      MountTable.unmountAll(cdir);
      if (s.record().autoRemove()) {
        wiring.removeAnonymousVolumes(id);
        Trees.delete(cdir);
        deleteQuietly(id, s.record().name());
      }
    }
  }

  /** The output of a detached container so far. */
  public Path logFile(String id) {
    return dir.resolve(id).resolve(LOG);
  }

  private boolean awaitExit(String id, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    do {
      Optional<ContainerState> s = state(dir.resolve(id));
      if (s.isEmpty() || !s.get().isRunning()) {
        return true;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return false;
  }

  private Optional<ContainerState> state(Path cdir) throws IOException {
    ContainerRecord rec;
    try {
      rec = ContainerRecord.fromJson(Json.parseObject(Files.readAllBytes(cdir.resolve(RECORD))));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    Path exit = cdir.resolve(EXIT_CODE);
    try {
      String text = Files.readString(exit, StandardCharsets.US_ASCII).strip();
      Instant at = Files.getLastModifiedTime(exit).toInstant();
      return Optional.of(
          new ContainerState(rec, ContainerState.Status.EXITED, Integer.parseInt(text), at));
    } catch (NoSuchFileException | NumberFormatException e) {
      // still running, or dead
    }
    ContainerState.Status status =
        RunDir.ownerAlive(cdir) ? ContainerState.Status.RUNNING : ContainerState.Status.DEAD;
    return Optional.of(new ContainerState(rec, status, -1, null));
  }

  private void recordExit(String id, int rc) throws IOException {
    Path cdir = dir.resolve(id);
    if (Files.isDirectory(cdir)) {
      writeAtomically(cdir.resolve(EXIT_CODE), (rc + "\n").getBytes(StandardCharsets.US_ASCII));
    }
  }

  private String reserveName(String requested, String id) throws IOException {
    Path names = StorePermissions.createPrivateDirectories(dir.resolve(NAMES));
    if (requested != null) {
      if (!Names.valid(requested)) {
        throw new RunnerException(
            "invalid container name \"" + requested + "\": only [a-zA-Z0-9][a-zA-Z0-9_.-] allowed",
            RunnerErrors.CANNOT_CREATE);
      }
      try {
        Files.writeString(
            names.resolve(requested),
            id,
            StandardCharsets.US_ASCII,
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE);
        return requested;
      } catch (FileAlreadyExistsException e) {
        throw new RunnerException(
            "the container name \""
                + requested
                + "\" is already in use; remove that container"
                + " (jbuild rm) or choose another name",
            RunnerErrors.CANNOT_CREATE);
      }
    }
    for (int i = 0; ; i++) {
      String name = i < 20 ? Names.random() : Names.random() + "_" + i;
      try {
        Files.writeString(
            names.resolve(name),
            id,
            StandardCharsets.US_ASCII,
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE);
        return name;
      } catch (FileAlreadyExistsException e) {
        // try another
      }
    }
  }

  private void releaseName(String name) throws IOException {
    Files.deleteIfExists(dir.resolve(NAMES).resolve(name));
  }

  private Path gcRoot(String id) {
    return store.gcRootsDir().resolve("container-" + id + ".json");
  }

  private void deleteQuietly(String id, String name) throws IOException {
    Files.deleteIfExists(gcRoot(id));
    releaseName(name);
    Trees.delete(dir.resolve(id));
  }

  /** Temp file in the store's staging directory, fsync, rename, directory fsync. */
  void writeAtomically(Path target, byte[] bytes) throws IOException {
    StorePermissions.createPrivateDirectories(target.getParent());
    AtomicFiles.write(target, bytes, AtomicFiles.Options.DEFAULT.stagedIn(store.stagingDir()));
  }
}
