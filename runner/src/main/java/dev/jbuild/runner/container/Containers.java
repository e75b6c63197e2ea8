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
  static final String NAMES = ".names";

  /** Present while {@code jbuild pause} froze the container. */
  static final String PAUSED = "paused";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Store store;
  private final Path dir;
  private final OciRuntime runtime;
  private final Volumes volumes;
  private final Networks networks;
  private final ContainerWiring wiring;
  private final Lifecycle lifecycle;

  private Containers(Store store, OciRuntime runtime) throws IOException {
    this.store = store;
    this.dir = store.root().resolve(DIR);
    this.runtime = runtime;
    this.volumes = Volumes.open(store);
    this.networks = Networks.open(store);
    this.wiring = new ContainerWiring(this, store, dir, volumes, networks);
    this.lifecycle = new Lifecycle(this, store, dir, runtime);
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
              o.stopSignal() != null ? o.stopSignal() : image.config().configOrEmpty().stopSignal(),
              o.stopTimeout());
      writeAtomically(cdir.resolve(RECORD), rec.toJson().toBytes());
      writeAtomically(
          cdir.resolve(HostConfig.FILE),
          o.hostConfig().withNetworkMode(networkMode(o.network())).toJson().toBytes());
      dev.jbuild.layercache.model.HealthConfig health =
          o.hostConfig().effectiveHealth(image.config().configOrEmpty().healthcheck());
      if (health != null) {
        writeAtomically(cdir.resolve(HealthMonitor.FILE), health.json().toBytes());
      }
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
        EmbeddedDns.configure(cdir); // before the runtime binds resolv.conf
      }
      Limits.apply(cdir.resolve("config.json"), o.hostConfig().resources());
      ContainerSecurity.apply(cdir.resolve("config.json"), o.hostConfig().security(), p.seccomp());
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
    return runAttached(c, attach, tty, true);
  }

  /**
   * {@link #runAttached}; {@code forwardSignals} false for a run that is not the process's own
   * foreground command (a daemon running a client's {@code run}: the process's signals are the
   * daemon's, and the client's Ctrl-C reaches the container by its disconnect).
   */
  public int runAttached(Created c, Attach attach, boolean tty, boolean forwardSignals)
      throws IOException, InterruptedException {
    ContainerRecord rec = c.record;
    boolean ok = false;
    // handlers first: a signal that arrives while the runtime starts is forwarded once it runs
    java.util.concurrent.atomic.AtomicReference<RuntimeProcess> running =
        new java.util.concurrent.atomic.AtomicReference<>();
    List<Integer> early = new ArrayList<>();
    SignalForwarder forwarder =
        !forwardSignals
            ? null
            : SignalForwarder.install(
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
    Path cdir = dir.resolve(rec.id());
    // without -t the output is logged too (docker logs shows it); with -t the runtime owns the
    // terminal and nothing passes through jbuild
    List<LoggedStream> logged = new ArrayList<>();
    try (java.io.Closeable _ = ContainerMonitor.dns(cdir);
        JsonFileLog log =
            tty
                ? null
                : new JsonFileLog(JsonFileLog.file(cdir, rec.id()), hostConfig(cdir).log())) {
      int rc;
      try {
        RunState.started(Instant.now(), 0).write(cdir);
        RuntimeProcess p =
            c.sandbox.start(tty ? attach.runtimeIo(false) : attach.runtimeIo(true, log, logged));
        synchronized (early) {
          running.set(p);
          for (int sig : early) {
            p.signal(sig);
          }
        }
        rc = c.sandbox.await(p);
        for (LoggedStream l : logged) {
          l.finish();
        }
      } finally {
        if (forwarder != null) {
          forwarder.close();
        }
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
   * Starts a created container in the background under its monitor ({@link ContainerMonitor}),
   * which logs its output, applies its restart policy, records the exit code, unmounts the rootfs
   * and, with {@code --rm}, removes the container when it exits.
   */
  public String startDetached(Created c) throws IOException, InterruptedException {
    ContainerRecord rec = c.record;
    Path cdir = dir.resolve(rec.id());
    RunState.started(Instant.now(), 0).write(cdir);
    Process monitor;
    try {
      monitor = spawnMonitor(rec);
    } catch (IOException e) {
      c.sandbox.close();
      deleteQuietly(rec.id(), rec.name());
      throw e;
    }
    c.sandbox.release();
    awaitStarted(rec.id(), monitor);
    return rec.id();
  }

  /**
   * Leaves a container created ({@code jbuild create}): its root filesystem unmounted and its
   * network stopped until {@code start}.
   */
  public String leaveCreated(Created c) throws IOException {
    try {
      c.sandbox.unmount();
    } catch (IOException | RuntimeException e) {
      c.sandbox.close();
      deleteQuietly(c.record.id(), c.record.name());
      throw e;
    }
    c.sandbox.release();
    // no owner: nothing runs it (Created), whether or not this process goes on
    new RunDir(c.record.id(), dir.resolve(c.record.id())).setOwner(new ProcessIdentity(0, 0));
    return c.record.id();
  }

  Process spawnMonitor(ContainerRecord rec) throws IOException {
    Path cdir = dir.resolve(rec.id());
    Files.deleteIfExists(cdir.resolve(ContainerMonitor.ERROR));
    Files.deleteIfExists(cdir.resolve(OciRuntime.LOG_FILE));
    Process monitor =
        Monitors.spawn(cdir, runtime, gcRoot(rec.id()), dir.resolve(NAMES).resolve(rec.name()));
    try {
      new RunDir(rec.id(), cdir).setOwner(ProcessIdentity.of(monitor.pid()));
    } catch (IOException e) {
      if (Files.isDirectory(cdir)) {
        throw e;
      } // else: --rm, and it is over already
    }
    return monitor;
  }

  /** Waits until the monitor runs the container, or reports why it could not start it. */
  void awaitStarted(String id, Process monitor) throws IOException, InterruptedException {
    Path cdir = dir.resolve(id);
    for (int i = 0; i < 600; i++) {
      if (Files.exists(cdir.resolve(EXIT_CODE)) || !monitor.isAlive()) {
        monitor.waitFor(2, java.util.concurrent.TimeUnit.SECONDS);
        Path error = cdir.resolve(ContainerMonitor.ERROR);
        if (Files.exists(error)) {
          String message = Files.readString(error, StandardCharsets.UTF_8).strip();
          Optional<String> logged = runtime.loggedError(cdir);
          throw logged.isPresent()
              ? runtime.failure(logged.get())
              : new RunnerException(
                  "the container's monitor failed: " + message, RunnerErrors.CANNOT_CREATE);
        }
        return;
      }
      if (runtime.status(id).filter(s -> s.equals("running")).isPresent()) {
        return;
      }
      Thread.sleep(25);
    }
  }

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
   * timeout}; its restart policy does not start it again. Returns false when it was not running.
   */
  public boolean stop(String ref, Duration timeout) throws IOException, InterruptedException {
    return stop(ref, timeout, null);
  }

  /**
   * As {@link #stop(String, Duration)}; {@code timeout} null: the container's --stop-timeout (else
   * 10 s); {@code signal} null: its stop signal (--stop-signal, the image's, else SIGTERM).
   */
  public boolean stop(String ref, Duration timeout, String signal)
      throws IOException, InterruptedException {
    String id = find(ref).record().id();
    boolean stopped = lifecycle.stop(ref, timeout, signal);
    // the other containers on its networks no longer list it in their hosts
    if (!WiringRecord.read(dir.resolve(id)).networks().isEmpty()) {
      wiring.refreshHosts();
    }
    return stopped;
  }

  /** Starts a created or stopped container in the background; false when it runs already. */
  public boolean start(String ref) throws IOException, InterruptedException {
    return lifecycle.start(ref);
  }

  /** Stops (if running; {@code timeout} null: its --stop-timeout) and starts a container. */
  public void restart(String ref, Duration timeout) throws IOException, InterruptedException {
    lifecycle.restart(ref, timeout, null);
  }

  /** As {@link #restart(String, Duration)}, stopped with {@code signal} (null: its stop signal). */
  public void restart(String ref, Duration timeout, String signal)
      throws IOException, InterruptedException {
    lifecycle.restart(ref, timeout, signal);
  }

  /** Sends a signal (KILL, SIGTERM, 15, ...) to a running container's main process. */
  public void kill(String ref, String signal) throws IOException {
    lifecycle.kill(ref, signal);
  }

  /** Waits until a container stops; its exit code. */
  public int await(String ref) throws IOException, InterruptedException {
    return lifecycle.await(ref);
  }

  /** Freezes ({@code true}) or thaws a running container's processes (cgroup freezer). */
  public void pause(String ref, boolean pause) throws IOException {
    lifecycle.pause(ref, pause);
  }

  /** Renames a container. */
  public void rename(String ref, String newName) throws IOException {
    lifecycle.rename(ref, newName);
  }

  /** Removes every container that is not running; the ids removed. */
  public List<String> prune() throws IOException, InterruptedException {
    return lifecycle.prune();
  }

  /**
   * Runs another process in a running container ({@code runc exec}); its exit code (0 at once with
   * {@code -d}).
   */
  public int exec(String ref, ExecOptions o, Attach attach)
      throws IOException, InterruptedException {
    ContainerState s = find(ref);
    return Execs.exec(this, dir.resolve(s.record().id()), runtime, s, o, attach, null);
  }

  /**
   * As {@link #exec}, with a terminal ({@code o.tty()}): {@code runc exec --tty} in the foreground
   * with {@code pty}'s slave as its terminal; the caller reads and writes the master.
   */
  public int execOnTerminal(String ref, ExecOptions o, Pty pty)
      throws IOException, InterruptedException {
    ContainerState s = find(ref);
    return Execs.exec(
        this,
        dir.resolve(s.record().id()),
        runtime,
        s,
        o,
        Attach.streams(
            false,
            java.io.OutputStream.nullOutputStream(),
            java.io.OutputStream.nullOutputStream()),
        pty);
  }

  /**
   * The host pids of a running container's processes: every process in the pid namespace of its
   * first process (as the runtime's state names it), found through /proc (no cgroup needed, so
   * rootless too).
   */
  public List<Long> pids(String ref) throws IOException {
    return Execs.pids(runtime, find(ref));
  }

  /**
   * Docker's container labels, kept in {@code labels.json} (the daemon's {@code Config.Labels}).
   */
  static final String LABELS = "labels.json";

  /** Records the labels of container {@code id} (docker's {@code Config.Labels}). */
  public void setLabels(String id, java.util.Map<String, String> labels) throws IOException {
    writeAtomically(
        dir.resolve(id).resolve(LABELS),
        Json.ofStringMap(new java.util.TreeMap<>(labels)).toBytes());
  }

  /** Records how container {@code id}'s standard streams are made (the daemon's create call). */
  public void setStdio(String id, TtyConsole.Settings settings) throws IOException {
    writeAtomically(dir.resolve(id).resolve(TtyConsole.FILE), settings.toJson().toBytes());
  }

  /** How container {@code id}'s standard streams are made ({@link TtyConsole.Settings#NONE}). */
  public TtyConsole.Settings stdio(String id) throws IOException {
    return TtyConsole.Settings.read(dir.resolve(id));
  }

  /**
   * The console of running container {@code id}, created with a terminal, to write its input and
   * window size to; empty while its monitor serves none (not started yet, or stopped).
   */
  public Optional<TtyConsole.Writer> console(String id) throws IOException {
    return Optional.ofNullable(TtyConsole.Writer.open(dir.resolve(id)));
  }

  /** The labels of container {@code id} (empty: none). */
  public java.util.Map<String, String> labels(String id) throws IOException {
    try {
      return stringMap(Json.parseObject(Files.readAllBytes(dir.resolve(id).resolve(LABELS))));
    } catch (NoSuchFileException | IllegalArgumentException e) {
      return java.util.Map.of();
    }
  }

  private static java.util.Map<String, String> stringMap(JsonObject o) {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String k : o.keys()) {
      out.put(k, o.string(k, ""));
    }
    return out;
  }

  /** The host pid of a running container's first process (0 or less: none). */
  public long initPid(String id) throws IOException {
    return runtime.pid(id);
  }

  /** The container as {@code docker container inspect} shows it. */
  public JsonObject inspect(String ref) throws IOException {
    ContainerState s = find(ref);
    String id = s.record().id();
    return ContainerInspect.of(s, dir.resolve(id), runtime, logFile(id));
  }

  /** The container with this full id as it stands now; empty once it is gone (the daemon polls). */
  public Optional<ContainerState> current(String id) throws IOException {
    return state(dir.resolve(id));
  }

  /** The container with this full id now, or null when it is gone. */
  ContainerState stateOf(String id) throws IOException {
    return state(dir.resolve(id)).orElse(null);
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
      lifecycle.killForRemoval(id);
    }
    Path cdir = dir.resolve(id);
    // its monitor finishes (exit code, unmount) before the directory goes
    for (int i = 0;
        i < 200 && RunDir.ownerAlive(cdir) && !s.status().equals(ContainerState.Status.CREATED);
        i++) {
      Thread.sleep(25);
    }
    if (Files.exists(runtime.stateRoot().resolve(id))) {
      runtime.delete(id);
    }
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

  /**
   * A stopped container started again: its new namespace joins its user networks again (same
   * addresses) and its ports are published again (the same host ports).
   */
  void rewire(String id, Path cdir, WiringRecord w) throws IOException {
    for (int k = 0; k < w.networks().size(); k++) {
      WiringRecord.Endpoint e = w.networks().get(k);
      ContainerNetworks.attach(networks, networks.get(e.network()), cdir, id, k, e.ip());
    }
    if (!w.ports().isEmpty()) {
      PortPublisher.publish(cdir, w.ports());
    }
    if (!w.networks().isEmpty()) {
      wiring.refreshHosts();
    }
  }

  /** {@code jbuild cp} into and out of this store's containers. */
  public ContainerCopy copy() {
    return new ContainerCopy(this, store, runtime, dir);
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

  /** The json-file log of a container (the current file; rotated ones are next to it). */
  public Path logFile(String id) {
    return JsonFileLog.file(dir.resolve(id), id);
  }

  /** The settings {@code hostconfig.json} of container directory {@code cdir} holds. */
  static HostConfig hostConfig(Path cdir) throws IOException {
    try {
      return HostConfig.fromJson(
          Json.parseObject(Files.readAllBytes(cdir.resolve(HostConfig.FILE))));
    } catch (NoSuchFileException | IllegalArgumentException e) {
      return HostConfig.DEFAULT;
    }
  }

  private static String networkMode(dev.jbuild.runner.Network n) {
    return switch (n) {
      case PRIVATE -> "default";
      case HOST -> "host";
      case NONE -> "none";
    };
  }

  boolean awaitExit(String id, Duration timeout) throws IOException, InterruptedException {
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
    Optional<RunState> run = RunState.read(cdir);
    try {
      String text = Files.readString(exit, StandardCharsets.US_ASCII).strip();
      Instant at = Files.getLastModifiedTime(exit).toInstant();
      return Optional.of(
          new ContainerState(
              rec, ContainerState.Status.EXITED, Integer.parseInt(text), at, run.orElse(null)));
    } catch (NoSuchFileException | NumberFormatException e) {
      // not exited
    }
    ContainerState.Status status;
    if (RunDir.ownerAlive(cdir)) {
      if (run.isEmpty()) {
        status = ContainerState.Status.RUNNING; // being created, or started right now
      } else if (run.get().restarting()) {
        status = ContainerState.Status.RESTARTING;
      } else if (Files.exists(cdir.resolve(PAUSED))) {
        status = ContainerState.Status.PAUSED;
      } else {
        status = ContainerState.Status.RUNNING;
      }
    } else {
      // never started (jbuild create) when there is no run state
      status = run.isEmpty() ? ContainerState.Status.CREATED : ContainerState.Status.DEAD;
    }
    return Optional.of(new ContainerState(rec, status, -1, null, run.orElse(null)));
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
