package dev.jbuild.runner.exec;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.fs.UserNamespace;
import dev.jbuild.runner.Network;
import dev.jbuild.runner.RunMount;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.Trees;
import dev.jbuild.runner.net.UserNetwork;
import dev.jbuild.runner.overlay.FuseOverlay;
import dev.jbuild.runner.overlay.OverlayLayout;
import dev.jbuild.runner.overlay.OverlayMount;
import dev.jbuild.runner.runc.OciRuntime;
import dev.jbuild.runner.runc.RuntimeIo;
import dev.jbuild.runner.runc.RuntimeProcess;
import dev.jbuild.runner.spec.RuntimeSpec;
import dev.jbuild.runner.spec.SpecMount;
import dev.jbuild.runner.spec.SpecWriter;
import dev.jbuild.runner.sys.MountTable;
import dev.jbuild.runner.sys.SyscallException;
import dev.jbuild.runner.sys.Syscalls;
import dev.jbuild.runner.user.ResolvedUser;
import dev.jbuild.runner.user.UserResolver;
import dev.jbuild.runner.workspace.Cleanups;
import dev.jbuild.runner.workspace.RunDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One container's filesystem and lifecycle: an overlay of the given lower directories with a fresh
 * upper directory, mounted at the run directory's rootfs; the runtime bundle; and the clean-up of
 * all of it, on every path (a shutdown hook covers Ctrl-C, the sweep covers kill -9).
 *
 * <p>Order of use: {@link #open}, {@link #prepare}, {@link #start} + {@link #await}, {@link
 * #unmount} (the upper directory then holds exactly the step's changes), {@link #close}.
 */
public final class Sandbox implements AutoCloseable {
  /** Docker's default PATH, used when the environment has none. */
  public static final String DEFAULT_PATH =
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private static final long MAX_NOFILE = 1L << 20;

  private final RunDir dir;
  private final OciRuntime runtime;
  private final Cleanups.Action cleanup = this::close;
  private boolean mounted;
  private boolean started;
  private boolean closed;
  private MountStubs stubs;
  private UserNetwork network;
  private UserNetwork joined;
  private Path joinedNetns;
  private boolean apiSocket;
  private List<String> dns = List.of();
  private List<String> extraHosts = List.of();

  private List<Path> lowers = List.of();
  private boolean keepDirectory;

  private Sandbox(RunDir dir, OciRuntime runtime) {
    this.dir = dir;
    this.runtime = runtime;
  }

  /**
   * Creates the directories and mounts the overlay.
   *
   * @param lowersTopFirst the unpacked layers, top layer first (may be empty: FROM scratch)
   */
  public static Sandbox open(RunDir dir, OciRuntime runtime, List<Path> lowersTopFirst)
      throws IOException {
    Sandbox s = new Sandbox(dir, runtime);
    if (!Cleanups.register(s.cleanup)) {
      Trees.delete(dir.dir());
      throw new RunnerException("jbuild is shutting down", RunnerErrors.CANNOT_CREATE);
    }
    try {
      s.mount(lowersTopFirst);
      return s;
    } catch (IOException | RuntimeException | Error e) {
      s.close();
      throw e;
    }
  }

  /**
   * Mounts the overlay of an existing directory again (a stopped container started again: its upper
   * directory keeps what it wrote); closing it unmounts and never deletes the directory.
   */
  public static Sandbox reopen(RunDir dir, OciRuntime runtime, List<Path> lowersTopFirst)
      throws IOException {
    Sandbox s = new Sandbox(dir, runtime);
    s.keepDirectory = true;
    // a volatile overlay leaves work/incompat/volatile behind, and the kernel refuses to mount
    // over it again: the work directory holds nothing else worth keeping
    Trees.delete(dir.work());
    if (!Cleanups.register(s.cleanup)) {
      throw new RunnerException("jbuild is shutting down", RunnerErrors.CANNOT_CREATE);
    }
    try {
      s.mount(lowersTopFirst);
      return s;
    } catch (IOException | RuntimeException | Error e) {
      s.close();
      throw e;
    }
  }

  /**
   * Starts the private network of a reopened sandbox (its namespace at the path config.json names),
   * detached: it outlives this JVM; ready when this returns.
   */
  public void startNetwork() throws IOException {
    startNetwork(apiSocket);
  }

  /** As {@link #startNetwork()}; with {@code api} the stack listens for port forwards. */
  public void startNetwork(boolean api) throws IOException {
    network = UserNetwork.start(dir.dir(), true, api || apiSocket);
    try {
      network.awaitReady();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while the network starts");
    }
  }

  private void mount(List<Path> lowersTopFirst) throws IOException {
    Files.createDirectories(dir.upper());
    Files.createDirectories(dir.work());
    Files.createDirectories(dir.rootfs());
    this.lowers = List.copyOf(lowersTopFirst);
    List<Path> lowers = new ArrayList<>(lowersTopFirst);
    if (lowers.isEmpty()) {
      Files.createDirectories(dir.empty());
      lowers.add(dir.empty());
    }
    // the merged root directory takes its owner and mode from the upper directory
    Stat top = Posix.lstat(lowers.getFirst());
    Posix.lchown(dir.upper(), top.uid(), top.gid());
    Posix.chmod(dir.upper(), lowersTopFirst.isEmpty() ? 0755 : top.permissions());
    try {
      OverlayMount.mount(dir.rootfs(), new OverlayLayout(lowers, dir.upper(), dir.work()));
    } catch (IOException e) {
      throw RunnerErrors.mountFailed("cannot mount the root filesystem", e);
    }
    mounted = true;
  }

  public String id() {
    return dir.id();
  }

  public RunDir dir() {
    return dir;
  }

  public Path rootfs() {
    return dir.rootfs();
  }

  public Path upper() {
    return dir.upper();
  }

  /**
   * Resolves the user, creates the working directory, records mount stubs, writes the generated
   * /etc files and config.json.
   */
  public ResolvedUser prepare(ProcessSpec p) throws IOException {
    return prepare(p, false);
  }

  /**
   * As {@link #prepare(ProcessSpec)}; the private network (started first, ready when this returns)
   * outlives this JVM when {@code detachedNetwork} (a detached container's monitor stops it).
   */
  public ResolvedUser prepare(ProcessSpec p, boolean detachedNetwork) throws IOException {
    if (p.network() == Network.PRIVATE
        && network == null
        && joined == null
        && joinedNetns == null) {
      // started first: slirp4netns configures the interface while the rest is prepared
      network = UserNetwork.start(dir.dir(), detachedNetwork, apiSocket);
    }
    Path rootfs = dir.rootfs();
    ResolvedUser user = mapped(UserResolver.resolve(rootfs, p.user()).withPrimaryGroup(), p.user());
    Workdirs.create(rootfs, p.workdir(), user);
    Path[] etc =
        EtcFiles.write(
            dir.etc(), p.hostname(), p.network(), p.settings().extraHosts(), dns, extraHosts);
    List<SpecMount> mounts = new ArrayList<>();
    mounts.add(SpecMount.bind(etc[0].toString(), "/etc/hosts", true));
    mounts.add(SpecMount.bind(etc[1].toString(), "/etc/resolv.conf", true));
    for (RunMount m : p.mounts()) {
      mounts.add(
          switch (m) {
            case RunMount.Bind b -> SpecMount.bind(b.source().toString(), b.target(), b.readOnly());
            case RunMount.Tmpfs t -> SpecMount.tmpfs(t.target(), t.options());
          });
    }
    RuntimeSpec spec =
        new RuntimeSpec(
            p.argv(),
            environment(p.env(), user),
            p.workdir(),
            user,
            p.terminal(),
            p.hostname(),
            "rootfs",
            p.network() == Network.HOST,
            p.network() != Network.PRIVATE
                ? null
                : joinedNetns != null
                    ? joinedNetns.toString()
                    : joined != null ? joined.netns().toString() : network.netns().toString(),
            mounts,
            nofile(),
            // rootless: no cgroup of jbuild's choosing (none is delegated); runc then tolerates
            // the cgroup directories it may not create
            UserNamespace.current().isInitial() ? "/jbuild/" + dir.id() : null,
            p.seccomp(),
            p.settings());
    List<String> targets = new ArrayList<>();
    for (SpecMount m : SpecWriter.allMounts(spec)) {
      if (!m.destination().startsWith("/dev/")) {
        targets.add(m.destination());
      }
    }
    stubs = MountStubs.record(rootfs, targets);
    Files.writeString(
        dir.bundle().resolve("config.json"), SpecWriter.toJson(spec), StandardCharsets.UTF_8);
    UserNetwork ready = network != null ? network : joined;
    if (ready != null) {
      try {
        ready.awaitReady();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while the network starts");
      }
    }
    return user;
  }

  /** Starts the container (foreground: the runtime process lives as long as the container). */
  public RuntimeProcess start(RuntimeIo io) throws IOException {
    started = true;
    return runtime.run(dir.id(), dir.bundle(), io);
  }

  /**
   * Waits for the container to exit; its exit status, or a {@link RunnerException} when the runtime
   * itself failed (could not create the container, the command does not exist).
   */
  public int await(RuntimeProcess process) throws IOException, InterruptedException {
    int rc = process.waitFor();
    if (rc != 0) {
      Optional<String> error = runtime.loggedError(dir.bundle());
      if (error.isPresent()) {
        throw runtime.failure(error.get());
      }
    }
    return rc;
  }

  /**
   * Joins a private network owned by someone else (the build's, see {@link BuildNetworks}) instead
   * of starting one of its own; null: start one. Call before {@link #prepare}.
   */
  public void joinNetwork(UserNetwork shared) {
    this.joined = shared;
  }

  /**
   * Joins the network namespace bound at {@code netns} (another container's, or a user network's
   * endpoint) instead of starting a stack; its owner keeps it alive. Call before {@link #prepare}.
   */
  public void joinNetns(Path netns) {
    this.joinedNetns = netns;
  }

  /**
   * The private network this sandbox starts listens on slirp4netns's API socket (published ports).
   * Call before {@link #prepare}.
   */
  public void enableNetworkApi() {
    this.apiSocket = true;
  }

  /**
   * {@code --dns} servers and {@code --add-host NAME:IP} entries for the generated resolv.conf and
   * hosts. Call before {@link #prepare}.
   */
  public void etcEntries(List<String> dnsServers, List<String> hostsEntries) {
    this.dns = List.copyOf(dnsServers);
    this.extraHosts = List.copyOf(hostsEntries);
  }

  /** The private network's stack, when the process has one (its pid, for a monitor to stop it). */
  public Optional<UserNetwork> network() {
    return Optional.ofNullable(network);
  }

  /** Unmounts the rootfs and removes the mount stubs: the upper directory is the step's diff. */
  public void unmount() throws IOException {
    deleteContainer();
    stopNetwork();
    if (mounted) {
      Syscalls.umount(dir.rootfs(), 0);
      mounted = false;
      if (FuseOverlay.inUse()) {
        FuseOverlay.normalize(dir.upper(), lowers);
      }
    }
    if (stubs != null) {
      stubs.removeFrom(dir.upper());
      stubs = null;
    }
  }

  private void deleteContainer() throws IOException {
    // a runtime that exited normally has deleted its container; a killed one has not
    if (started && Files.exists(runtime.stateRoot().resolve(dir.id()))) {
      runtime.delete(dir.id());
    }
    started = false;
  }

  /**
   * Hands the directory over to another owner (a detached container's monitor, or a stopped
   * container kept for {@code ps -a}): nothing is cleaned up by this sandbox any more.
   */
  public synchronized void release() {
    closed = true;
    if (network != null) {
      network.release();
    }
    Cleanups.unregister(cleanup);
  }

  /** Removes the container, the mounts and the run directory (idempotent). */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      try {
        deleteContainer();
      } finally {
        stopNetwork();
      }
      if (mounted) {
        try {
          Syscalls.umount(dir.rootfs(), Syscalls.MNT_DETACH);
        } catch (SyscallException e) {
          // fall through to the mount table sweep
        }
        mounted = false;
      }
      MountTable.unmountAll(dir.dir());
      if (!keepDirectory) {
        Trees.delete(dir.dir());
      }
    } finally {
      Cleanups.unregister(cleanup);
    }
  }

  private void stopNetwork() throws IOException {
    if (network != null) {
      UserNetwork n = network;
      network = null;
      n.close();
    }
  }

  /**
   * In a user namespace, the step's user must have ids the namespace maps (a clear error naming
   * /etc/subuid otherwise); supplementary groups it cannot map are left out (all of them when
   * setgroups is denied: a single-id mapping made without newgidmap).
   */
  static ResolvedUser mapped(ResolvedUser user, String spec) throws IOException {
    UserNamespace ns = UserNamespace.current();
    if (ns.isInitial()) {
      return user;
    }
    String who = "USER " + (spec == null || spec.isEmpty() ? "root" : spec);
    if (!ns.mapsUid(user.uid())) {
      throw new RunnerException(
          ns.unmapped("uid", user.uid(), who).getMessage(), RunnerErrors.CANNOT_CREATE);
    }
    if (!ns.mapsGid(user.gid())) {
      throw new RunnerException(
          ns.unmapped("gid", user.gid(), who).getMessage(), RunnerErrors.CANNOT_CREATE);
    }
    List<Long> groups = new ArrayList<>();
    if (ns.setgroupsAllowed()) {
      for (long g : user.additionalGids()) {
        if (ns.mapsGid(g)) {
          groups.add(g);
        }
      }
    }
    return groups.equals(user.additionalGids())
        ? user
        : new ResolvedUser(user.uid(), user.gid(), groups, user.home());
  }

  public static List<String> environment(List<String> env, ResolvedUser user) {
    List<String> out = new ArrayList<>(env.size() + 2);
    boolean path = false;
    boolean home = false;
    for (String e : env) {
      path |= e.startsWith("PATH=");
      home |= e.startsWith("HOME=");
      out.add(e);
    }
    if (!path) {
      out.add(DEFAULT_PATH);
    }
    if (!home) {
      out.add("HOME=" + user.home());
    }
    return out;
  }

  private static long nofile() {
    try {
      long soft = Syscalls.getrlimit(Syscalls.RLIMIT_NOFILE)[0];
      return soft < 0 ? MAX_NOFILE : Math.min(soft, MAX_NOFILE);
    } catch (SyscallException e) {
      return -1;
    }
  }
}
