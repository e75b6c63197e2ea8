package dev.jbuild.runner;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.exec.ProcessSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * One RUN step: a command over a layer chain.
 *
 * @param store where the layers are, and where the diff layer goes
 * @param layers the chain's diff IDs, base first (empty: FROM scratch)
 * @param argv the command as executed (the builder applies SHELL for the shell form)
 * @param env {@code K=V} entries; PATH defaults to Docker's when absent, HOME to the user's
 * @param user as USER says: name, uid, name:group, uid:gid, uid:group; "" = root
 * @param workdir absolute; created (owned by the user, 0755) when missing
 * @param hostname the container's hostname
 * @param network PRIVATE (the default: own namespace, outbound through slirp4netns), HOST or NONE
 *     (loopback only)
 * @param mounts bind (read-only or not), tmpfs; cache and secret mounts are binds
 * @param runtime the OCI runtime binary: a path or a name in PATH (default {@code runc})
 * @param output receives stdout and stderr line by line
 * @param sourceDateEpoch when not null, the layer's mtimes later than it are written as it
 *     (SOURCE_DATE_EPOCH, as BuildKit's rewrite-timestamp), in the blob and the unpacked layer
 * @param settings the build's sandbox settings (insecure, extra hosts, rlimits, shm size)
 */
public record RunRequest(
    Store store,
    List<Digest> layers,
    List<String> argv,
    List<String> env,
    String user,
    String workdir,
    String hostname,
    Network network,
    List<RunMount> mounts,
    Path runtime,
    OutputSink output,
    java.time.Instant sourceDateEpoch,
    RunSettings settings) {
  public static final Path DEFAULT_RUNTIME = Path.of("runc");
  public static final String DEFAULT_HOSTNAME = "jbuild";

  public RunRequest {
    Objects.requireNonNull(store, "store");
    layers = List.copyOf(layers);
    argv = List.copyOf(argv);
    env = List.copyOf(env);
    mounts = List.copyOf(mounts);
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("RUN needs a command");
    }
    user = user == null ? "" : user;
    workdir = ProcessSpec.workdir(workdir);
    hostname = hostname == null || hostname.isEmpty() ? DEFAULT_HOSTNAME : hostname;
    network = network == null ? Network.PRIVATE : network;
    runtime = runtime == null ? DEFAULT_RUNTIME : runtime;
    output = output == null ? OutputSink.discard() : output;
    settings = settings == null ? RunSettings.DEFAULT : settings;
  }

  /** A request with the default {@link RunSettings}. */
  public RunRequest(
      Store store,
      List<Digest> layers,
      List<String> argv,
      List<String> env,
      String user,
      String workdir,
      String hostname,
      Network network,
      List<RunMount> mounts,
      Path runtime,
      OutputSink output,
      java.time.Instant sourceDateEpoch) {
    this(
        store,
        layers,
        argv,
        env,
        user,
        workdir,
        hostname,
        network,
        mounts,
        runtime,
        output,
        sourceDateEpoch,
        null);
  }

  /** A request without SOURCE_DATE_EPOCH. */
  public RunRequest(
      Store store,
      List<Digest> layers,
      List<String> argv,
      List<String> env,
      String user,
      String workdir,
      String hostname,
      Network network,
      List<RunMount> mounts,
      Path runtime,
      OutputSink output) {
    this(store, layers, argv, env, user, workdir, hostname, network, mounts, runtime, output, null);
  }

  /** A request with defaults: root, "/", the private network, no mounts, runc, output discarded. */
  public static RunRequest of(Store store, List<Digest> layers, List<String> argv) {
    return new RunRequest(
        store,
        layers,
        argv,
        List.of(),
        "",
        "/",
        null,
        Network.PRIVATE,
        List.of(),
        null,
        null,
        null);
  }

  public RunRequest withEnv(List<String> e) {
    return new RunRequest(
        store,
        layers,
        argv,
        e,
        user,
        workdir,
        hostname,
        network,
        mounts,
        runtime,
        output,
        sourceDateEpoch,
        settings);
  }

  public RunRequest withUser(String u) {
    return new RunRequest(
        store,
        layers,
        argv,
        env,
        u,
        workdir,
        hostname,
        network,
        mounts,
        runtime,
        output,
        sourceDateEpoch,
        settings);
  }

  public RunRequest withWorkdir(String w) {
    return new RunRequest(
        store,
        layers,
        argv,
        env,
        user,
        w,
        hostname,
        network,
        mounts,
        runtime,
        output,
        sourceDateEpoch,
        settings);
  }

  public RunRequest withHostname(String h) {
    return new RunRequest(
        store,
        layers,
        argv,
        env,
        user,
        workdir,
        h,
        network,
        mounts,
        runtime,
        output,
        sourceDateEpoch,
        settings);
  }

  public RunRequest withNetwork(Network n) {
    return new RunRequest(
        store,
        layers,
        argv,
        env,
        user,
        workdir,
        hostname,
        n,
        mounts,
        runtime,
        output,
        sourceDateEpoch,
        settings);
  }

  public RunRequest withMounts(List<RunMount> m) {
    return new RunRequest(
        store,
        layers,
        argv,
        env,
        user,
        workdir,
        hostname,
        network,
        m,
        runtime,
        output,
        sourceDateEpoch,
        settings);
  }

  public RunRequest withRuntime(Path r) {
    return new RunRequest(
        store,
        layers,
        argv,
        env,
        user,
        workdir,
        hostname,
        network,
        mounts,
        r,
        output,
        sourceDateEpoch,
        settings);
  }

  public RunRequest withOutput(OutputSink o) {
    return new RunRequest(
        store,
        layers,
        argv,
        env,
        user,
        workdir,
        hostname,
        network,
        mounts,
        runtime,
        o,
        sourceDateEpoch);
  }

  public RunRequest withLayers(List<Digest> l) {
    return new RunRequest(
        store,
        l,
        argv,
        env,
        user,
        workdir,
        hostname,
        network,
        mounts,
        runtime,
        output,
        sourceDateEpoch,
        settings);
  }

  public RunRequest withArgv(List<String> a) {
    return new RunRequest(
        store,
        layers,
        a,
        env,
        user,
        workdir,
        hostname,
        network,
        mounts,
        runtime,
        output,
        sourceDateEpoch,
        settings);
  }

  public RunRequest withSourceDateEpoch(java.time.Instant epoch) {
    return new RunRequest(
        store, layers, argv, env, user, workdir, hostname, network, mounts, runtime, output, epoch,
        settings);
  }

  public RunRequest withSettings(RunSettings s) {
    return new RunRequest(
        store,
        layers,
        argv,
        env,
        user,
        workdir,
        hostname,
        network,
        mounts,
        runtime,
        output,
        sourceDateEpoch,
        s);
  }
}
