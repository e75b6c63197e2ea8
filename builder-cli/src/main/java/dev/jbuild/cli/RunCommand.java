package dev.jbuild.cli;

import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.store.StoreLock;
import dev.jbuild.runner.RunMount;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.container.Attach;
import dev.jbuild.runner.container.Containers;
import dev.jbuild.runner.container.HostConfig;
import dev.jbuild.runner.container.RunOptions;
import dev.jbuild.runner.container.VolumeMount;
import dev.jbuild.runner.container.Wiring;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild run}: starts an image from the store as a container, like {@code docker run}.
 * Everything after the image is the container's command (options there belong to it).
 */
@Command(
    name = "run",
    modelTransformer = RunCommand.StopAtImage.class,
    description = {
      "Start a container from an image in the store.",
      "Its output is streamed, SIGINT/SIGTERM are forwarded to it, and jbuild exits with its exit"
          + " code. With -d it runs in the background (see jbuild ps, stop, rm)."
    })
public class RunCommand implements Callable<Integer> {
  /** Options after IMAGE are the container's: stop option parsing at the first positional. */
  public static final class StopAtImage implements CommandLine.IModelTransformer {
    @Override
    public CommandLine.Model.CommandSpec transform(CommandLine.Model.CommandSpec spec) {
      spec.parser().stopAtPositional(true);
      return spec;
    }
  }

  @ParentCommand JbuildCommand root;
  @Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "IMAGE", description = "Image name, name@digest or ID.")
  String image;

  @Parameters(
      index = "1..*",
      paramLabel = "CMD",
      description = "Command and arguments (default: the image's Cmd).")
  List<String> command = new ArrayList<>();

  // -h is --hostname, as in docker run: no standard help mixin (its -h took --help with it)
  @Option(names = "--help", usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  @Option(
      names = "--platform",
      paramLabel = "OS/ARCH[/VARIANT]",
      description = "The image of a multi-platform image (index) to run (default: this machine's).")
  String platform;

  @Option(names = "--rm", description = "Remove the container when it exits.")
  boolean rm;

  @Option(
      names = {"-d", "--detach"},
      description = "Run in the background and print the container ID.")
  boolean detach;

  @Option(names = "--name", paramLabel = "NAME", description = "Container name.")
  String name;

  @Option(
      names = {"-e", "--env"},
      paramLabel = "K=V",
      description = "Set an environment variable (K alone: take it from jbuild's environment).")
  List<String> env = new ArrayList<>();

  @Option(names = "--env-file", paramLabel = "FILE", description = "Read K=V lines from a file.")
  List<Path> envFiles = new ArrayList<>();

  @Option(
      names = {"-v", "--volume"},
      paramLabel = "HOST|NAME:CTR[:ro]",
      description =
          "Bind mount an absolute host path (created when missing), mount volume NAME (created"
              + " when missing; filled from the image when empty), or CTR alone: a new anonymous"
              + " volume.")
  List<String> volumes = new ArrayList<>();

  @Option(
      names = "--mount",
      paramLabel = "type=volume|bind|tmpfs,...",
      description =
          "A mount, as docker run: type=, source=, target=, readonly, volume-nocopy, tmpfs-size=,"
              + " tmpfs-mode=.")
  List<String> mounts = new ArrayList<>();

  @Option(
      names = "--tmpfs",
      paramLabel = "CTR[:size=,mode=]",
      description = "Mount a tmpfs at CTR (options size=, mode=, rw).")
  List<String> tmpfs = new ArrayList<>();

  @Option(
      names = "--read-only",
      description =
          "Mount the container's root filesystem read-only (/dev, /dev/shm, /proc, volumes and"
              + " --tmpfs mounts stay writable).")
  boolean readOnly;

  @Option(
      names = "--cap-add",
      paramLabel = "CAP",
      description =
          "Add a capability to Docker's default set (NET_ADMIN, CAP_SYS_PTRACE, ALL);"
              + " drops are applied first, then adds.")
  List<String> capAdd = new ArrayList<>();

  @Option(
      names = "--cap-drop",
      paramLabel = "CAP",
      description = "Drop a capability from Docker's default set (CHOWN, ALL).")
  List<String> capDrop = new ArrayList<>();

  @Option(
      names = "--stop-signal",
      paramLabel = "SIGNAL",
      description =
          "Signal that stops the container (SIGUSR1, USR1, 10; default: the image's STOPSIGNAL,"
              + " else SIGTERM).")
  String stopSignal;

  @Option(
      names = "--stop-timeout",
      paramLabel = "SECONDS",
      description =
          "Seconds stop and restart wait before SIGKILL when not given -t (default 10; -1: for"
              + " ever).")
  Integer stopTimeout;

  @Option(
      names = {"-w", "--workdir"},
      paramLabel = "DIR",
      description = "Working directory inside the container.")
  String workdir;

  @Option(
      names = {"-u", "--user"},
      paramLabel = "USER[:GROUP]",
      description = "User (name or uid, optional group).")
  String user;

  @Option(
      names = "--entrypoint",
      paramLabel = "CMD",
      description = "Replace the image's Entrypoint (\"\" clears it).")
  String entrypoint;

  @Option(
      names = {"--network", "--net"},
      paramLabel = "default|host|none|container:ID|NAME",
      description =
          "default: the container's own network namespace, outbound through slirp4netns, the"
              + " host's loopback out of reach; host: the host's network; none: loopback only;"
              + " container:ID: the network of that running container; NAME: a user network"
              + " (jbuild network create), where containers reach each other by name.")
  String network = "default";

  @Option(
      names = {"-p", "--publish"},
      paramLabel = "[IP:][HOSTPORT:]CTRPORT[/tcp|udp]",
      description =
          "Publish a container port on the host (no HOSTPORT: a free one; see jbuild port),"
              + " forwarded by the container's user-mode network stack.")
  List<String> publish = new ArrayList<>();

  @Option(
      names = {"-P", "--publish-all"},
      description = "Publish every port the image EXPOSEs on a free host port.")
  boolean publishAll;

  @Option(
      names = {"--network-alias", "--net-alias"},
      paramLabel = "NAME",
      description = "Another name of the container on its user network.")
  List<String> aliases = new ArrayList<>();

  @Option(
      names = "--dns",
      paramLabel = "IP",
      description = "A nameserver for the container's resolv.conf (replaces the host's).")
  List<String> dns = new ArrayList<>();

  @Option(
      names = "--add-host",
      paramLabel = "NAME:IP",
      description =
          "An /etc/hosts entry (host-gateway: the user-mode stack's gateway, which does not reach"
              + " the host's loopback).")
  List<String> addHosts = new ArrayList<>();

  @Option(
      names = "--security-opt",
      paramLabel = "seccomp=unconfined|FILE",
      description =
          "seccomp=unconfined runs without a seccomp filter; seccomp=FILE uses a profile in"
              + " Docker's JSON format (default: Docker's default profile).")
  List<String> securityOpts = new ArrayList<>();

  @Option(
      names = {"-h", "--hostname"},
      paramLabel = "NAME",
      description = "Container hostname.")
  String hostname;

  @Option(
      names = {"-i", "--interactive"},
      description = "Keep standard input open and pass it to the container.")
  boolean interactive;

  @Option(
      names = {"-t", "--tty"},
      description = "Allocate a pseudo-terminal (use with -i for a shell).")
  boolean tty;

  @Option(
      names = "--runtime",
      paramLabel = "PATH",
      description = "OCI runtime (default: runc in PATH).")
  Path runtime;

  @Option(
      names = "--restart",
      paramLabel = "POLICY",
      description =
          "Restart policy, applied by the container's monitor: no (default), on-failure[:N],"
              + " always, unless-stopped.")
  String restart = "no";

  @Option(
      names = "--log-opt",
      paramLabel = "K=V",
      description =
          "Log option of the json-file log: max-size=SIZE (default 10m), max-file=N (default 3).")
  List<String> logOpts = new ArrayList<>();

  @Option(names = "--log-driver", paramLabel = "DRIVER", description = "json-file (the only one).")
  String logDriver = "json-file";

  @Option(
      names = "--init",
      description =
          "Run a minimal init (tini, bind-mounted read-only at /sbin/docker-init) as PID 1: it"
              + " forwards signals and reaps zombies.")
  boolean init;

  @Option(
      names = "--health-cmd",
      paramLabel = "CMD",
      description = "Healthcheck command (run by sh -c).")
  String healthCmd;

  @Option(
      names = "--health-interval",
      paramLabel = "DURATION",
      description = "Time between probes (default 30s; 500ms, 10s, 1m30s).")
  String healthInterval;

  @Option(
      names = "--health-timeout",
      paramLabel = "DURATION",
      description = "A probe taking longer fails (default 30s).")
  String healthTimeout;

  @Option(
      names = "--health-retries",
      paramLabel = "N",
      description = "Consecutive failures that make it unhealthy (default 3).")
  Integer healthRetries;

  @Option(
      names = "--health-start-period",
      paramLabel = "DURATION",
      description = "Failures within this time after the start do not count (default 0s).")
  String healthStartPeriod;

  @Option(names = "--no-healthcheck", description = "Disable the image's HEALTHCHECK.")
  boolean noHealthcheck;

  @Option(
      names = {"-m", "--memory"},
      paramLabel = "BYTES",
      description = "Memory limit (b, k, m, g: 512m); also the memory+swap limit.")
  String memory;

  @Option(names = "--cpus", paramLabel = "N", description = "CPUs (1.5 = one and a half).")
  Double cpus;

  @Option(names = "--pids-limit", paramLabel = "N", description = "Process limit.")
  Long pidsLimit;

  /** {@code jbuild create}: make the container, do not start it. */
  boolean createOnly() {
    return false;
  }

  @Override
  public Integer call() throws Exception {
    try {
      if (JbuildCommand.of(spec).isolation() == dev.jbuild.runner.Isolation.CHROOT) {
        throw dev.jbuild.runner.RunnerErrors.chrootUnsupported("jbuild run");
      }
    } catch (RunnerException e) {
      throw new UserException(e.exitCode(), e.getMessage(), e);
    }
    if ((detach || createOnly()) && tty) {
      throw new UserException(
          ExitCodes.USAGE,
          "-t cannot be combined with -d: a detached container has no terminal (its output goes"
              + " to its log)");
    }
    List<RunMount> binds = new ArrayList<>();
    List<VolumeMount> namedVolumes = new ArrayList<>();
    for (String v : volumes) {
      RunMounts.volume(v, binds, namedVolumes);
    }
    for (String m : mounts) {
      RunMounts.mount(m, binds, namedVolumes);
    }
    for (String t : tmpfs) {
      int colon = t.indexOf(':');
      RunMounts.tmpfs(
          colon < 0 ? t : t.substring(0, colon),
          colon < 0 ? "" : t.substring(colon + 1),
          binds,
          namedVolumes);
    }
    if (stopSignal != null) {
      try {
        dev.jbuild.runner.container.Signals.number(stopSignal);
      } catch (IllegalArgumentException e) {
        throw new UserException(ExitCodes.USAGE, "--stop-signal: " + e.getMessage());
      }
    }
    String joinContainer = null;
    String networkMode = network;
    if (network.startsWith("container:")) {
      joinContainer = network.substring("container:".length());
      if (joinContainer.isEmpty()) {
        throw new UserException(ExitCodes.USAGE, "--network container: needs a container");
      }
      if (hostname != null) {
        throw new UserException(
            ExitCodes.USAGE, "conflicting options: --hostname and --network container:");
      }
      networkMode = "default";
    }
    String userNetwork = null;
    if (joinContainer == null && !NetworkOptions.isBuiltinRunNetwork(network)) {
      userNetwork = network;
      networkMode = "default";
    }
    if (!aliases.isEmpty() && userNetwork == null) {
      throw new UserException(
          ExitCodes.USAGE, "--network-alias needs a user network (--network NAME)");
    }
    Wiring wiring =
        new Wiring(
            namedVolumes,
            NetworkOptions.parseDns(dns),
            NetworkOptions.parseAddHosts(addHosts),
            publish.stream().map(NetworkOptions::parsePublish).toList(),
            publishAll,
            joinContainer,
            userNetwork,
            aliases);
    if (!logDriver.equals("json-file")) {
      throw new UserException(
          ExitCodes.USAGE, "log driver \"" + logDriver + "\" is not supported: use json-file");
    }
    HostConfig hostConfig;
    try {
      HostConfig.LogConfig log = HostConfig.LogConfig.DEFAULT;
      for (String opt : logOpts) {
        log = log.with(opt);
      }
      // the docker CLI's reading (an add wins over a drop of the same), then the daemon's checks
      List<List<String>> addDrop = dev.jbuild.runner.Capabilities.effectiveAddDrop(capAdd, capDrop);
      hostConfig =
          new HostConfig(
              HostConfig.RestartPolicy.parse(restart),
              log,
              null,
              init,
              health(),
              resources(),
              HostConfig.Security.of(
                  addDrop.get(0), addDrop.get(1), readOnly, "--cap-add", "--cap-drop"));
    } catch (IllegalArgumentException e) {
      throw new UserException(ExitCodes.USAGE, e.getMessage());
    }
    if (rm && !hostConfig.restart().name().equals("no")) {
      throw new UserException(
          ExitCodes.USAGE, "conflicting options: cannot combine --restart and --rm");
    }
    boolean background = detach || createOnly();
    RunOptions options =
        new RunOptions(
            command,
            entrypoint,
            env,
            envFiles,
            user,
            workdir,
            hostname,
            NetworkOptions.parseRunNetwork(networkMode),
            binds,
            tty,
            interactive,
            name,
            background,
            rm,
            runtime,
            NetworkOptions.parseSecurityOpts(securityOpts),
            wiring,
            hostConfig,
            stopSignal,
            stopTimeout);
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = Store.open(root.storeRoot())) {
      Containers containers = Containers.open(store, runtime);
      Containers.Created created;
      // a shared lock keeps prune away until the container's gcroot pins the image
      StoreLock lock = store.lockShared();
      try {
        Image img =
            new ImageFinder(store)
                .find(image)
                .imageFor(platform == null ? null : RegistryCli.parsePlatform(platform), image);
        created = containers.create(image, img, options);
      } finally {
        lock.close();
      }
      if (createOnly()) {
        out.println(containers.leaveCreated(created));
        out.flush();
        return ExitCodes.OK;
      }
      if (detach) {
        out.println(containers.startDetached(created));
        out.flush();
        return ExitCodes.OK;
      }
      return containers.runAttached(created, attach(), tty, !JbuildCommand.of(spec).isClientCall());
    } catch (RunnerException e) {
      throw new UserException(e.exitCode(), e.getMessage(), e);
    }
  }

  /** --memory (binary units, as docker's RAMInBytes), --cpus, --pids-limit. */
  private HostConfig.Resources resources() {
    long mem = 0;
    if (memory != null) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("(?i)([0-9]+)([bkmg]?)b?").matcher(memory.strip());
      if (!m.matches()) {
        throw new UserException(
            ExitCodes.USAGE, "invalid --memory \"" + memory + "\": use 512m, 1g");
      }
      long unit =
          switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "k" -> 1L << 10;
            case "m" -> 1L << 20;
            case "g" -> 1L << 30;
            default -> 1L;
          };
      mem = Long.parseLong(m.group(1)) * unit;
      if (mem < 6L << 20) {
        throw new UserException(ExitCodes.USAGE, "minimum memory limit allowed is 6MB");
      }
    }
    if (cpus != null && (cpus <= 0 || cpus > Runtime.getRuntime().availableProcessors())) {
      throw new UserException(
          ExitCodes.USAGE,
          "range of CPUs is from 0.01 to " + Runtime.getRuntime().availableProcessors() + ".00");
    }
    if (pidsLimit != null && pidsLimit < 0) {
      throw new UserException(ExitCodes.USAGE, "--pids-limit cannot be negative");
    }
    return new HostConfig.Resources(
        mem, cpus == null ? 0 : Math.round(cpus * 1e9), pidsLimit == null ? 0 : pidsLimit);
  }

  /** The --health-* options as a healthcheck over the image's (null: none given). */
  private dev.jbuild.layercache.model.HealthConfig health() {
    if (noHealthcheck) {
      if (healthCmd != null) {
        throw new UserException(
            ExitCodes.USAGE, "--no-healthcheck conflicts with --health-* options");
      }
      return dev.jbuild.layercache.model.HealthConfig.none();
    }
    if (healthCmd == null
        && healthInterval == null
        && healthTimeout == null
        && healthRetries == null
        && healthStartPeriod == null) {
      return null;
    }
    if (healthRetries != null && healthRetries < 0) {
      throw new UserException(ExitCodes.USAGE, "--health-retries cannot be negative");
    }
    return dev.jbuild.layercache.model.HealthConfig.of(
        healthCmd == null ? null : List.of("CMD-SHELL", healthCmd),
        goDuration("--health-interval", healthInterval),
        goDuration("--health-timeout", healthTimeout),
        goDuration("--health-start-period", healthStartPeriod),
        null,
        healthRetries);
  }

  /** A Go duration (300ms, 10s, 1m30s, 2h); null stays null. */
  static java.time.Duration goDuration(String option, String text) {
    if (text == null) {
      return null;
    }
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)").matcher(text);
    long nanos = 0;
    int end = 0;
    while (m.find() && m.start() == end) {
      double n = Double.parseDouble(m.group(1));
      long unit =
          switch (m.group(2)) {
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
          };
      nanos += (long) (n * unit);
      end = m.end();
    }
    if (end != text.length() || text.isEmpty()) {
      throw new UserException(
          ExitCodes.USAGE, "invalid " + option + " \"" + text + "\": use a duration such as 30s");
    }
    return java.time.Duration.ofNanos(nanos);
  }

  private Attach attach() {
    JbuildCommand r = JbuildCommand.of(spec);
    if (r.isClientCall()) {
      // a daemon's call: the client's streams, bytes exact (-i and -t are refused in client mode)
      return Attach.streams(interactive, r.stdout(), r.stderr());
    }
    if (tty || Main.processStdio()) {
      // the runtime writes straight to jbuild's stdout and stderr: bytes exact, a tty stays a tty
      return Attach.processStdio(interactive);
    }
    return Attach.streams(
        interactive,
        new WriterOutputStream(spec.commandLine().getOut()),
        new WriterOutputStream(spec.commandLine().getErr()));
  }
}
