package dev.jbuild.cli;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonBool;
import dev.jbuild.layercache.json.JsonNull;
import dev.jbuild.layercache.json.JsonNumber;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonString;
import dev.jbuild.layercache.model.HealthConfig;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.RunMount;
import dev.jbuild.runner.container.HostConfig;
import dev.jbuild.runner.container.PortMapping;
import dev.jbuild.runner.container.RunOptions;
import dev.jbuild.runner.container.TtyConsole;
import dev.jbuild.runner.container.VolumeMount;
import dev.jbuild.runner.container.Wiring;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The daemon's {@code POST /containers/create}: docker's create body (Config, HostConfig,
 * NetworkingConfig) read into the same {@link RunOptions} {@code jbuild run} builds from its flags,
 * through the same parsers ({@link RunMounts}, {@link NetworkOptions}). A member jbuild cannot
 * honour is refused by name (a {@link UserException} with {@link ExitCodes#USAGE}), never ignored;
 * members at their zero value (what the docker CLI sends for every option not given) are accepted.
 */
public final class ApiContainerRequests {
  private ApiContainerRequests() {}

  /** Config members read below (the others must be at their zero value). */
  private static final Set<String> CONFIG =
      Set.of(
          "Image",
          "Cmd",
          "Entrypoint",
          "Env",
          "WorkingDir",
          "User",
          "Hostname",
          "AttachStdin",
          "AttachStdout",
          "AttachStderr",
          "StdinOnce",
          "ExposedPorts",
          "Healthcheck",
          "Labels",
          "Volumes",
          "StopSignal",
          "StopTimeout",
          "HostConfig",
          "NetworkingConfig");

  private static final Set<String> HOST_CONFIG =
      Set.of(
          "Binds",
          "Mounts",
          "PortBindings",
          "PublishAllPorts",
          "NetworkMode",
          "RestartPolicy",
          "AutoRemove",
          "Init",
          "Memory",
          "MemorySwap",
          "NanoCpus",
          "PidsLimit",
          "Dns",
          "ExtraHosts",
          "Tmpfs",
          "LogConfig",
          "SecurityOpt",
          "CapAdd",
          "CapDrop",
          "ReadonlyRootfs",
          "ConsoleSize");

  /**
   * The standard streams of a create body: {@code Tty}, {@code OpenStdin} (or {@code AttachStdin}),
   * {@code StdinOnce} and {@code HostConfig.ConsoleSize} ([rows, columns]).
   */
  public static TtyConsole.Settings stdio(JsonObject body) {
    boolean tty = truthy(body.get("Tty"));
    boolean openStdin = truthy(body.get("OpenStdin")) || truthy(body.get("AttachStdin"));
    int rows = 0;
    int cols = 0;
    JsonObject hc = body.object("HostConfig");
    JsonArray size = hc == null ? null : hc.array("ConsoleSize");
    if (size != null
        && size.elements().size() == 2
        && size.elements().get(0) instanceof JsonNumber h
        && size.elements().get(1) instanceof JsonNumber w) {
      rows = (int) Math.max(0, Math.min(0xffff, h.longValue()));
      cols = (int) Math.max(0, Math.min(0xffff, w.longValue()));
    }
    return new TtyConsole.Settings(tty, openStdin, truthy(body.get("StdinOnce")), rows, cols);
  }

  /** {@code Config.Labels} of a create body (empty: none). */
  public static Map<String, String> labels(JsonObject body) {
    try {
      Map<String, String> l = body.stringMap("Labels");
      return l == null ? Map.of() : l;
    } catch (IllegalArgumentException e) {
      throw new UserException(ExitCodes.USAGE, "Labels: " + e.getMessage(), e);
    }
  }

  /** The image to run for {@code ref}: a NOT_FOUND user error {@code No such image: ref}. */
  public static Image image(Store store, String ref) throws IOException {
    ImageFinder.Found found =
        new ImageFinder(store)
            .tryFind(ref)
            .orElseThrow(() -> new UserException(ExitCodes.NOT_FOUND, "No such image: " + ref));
    return found.imageFor(null, ref);
  }

  /**
   * The run options of a create body; {@code name} from {@code ?name=} (null: a random one).
   * Containers made by the daemon run detached under their monitor.
   */
  public static RunOptions runOptions(JsonObject body, String name) throws IOException {
    try {
      return read(body, name);
    } catch (IllegalArgumentException e) {
      throw new UserException(ExitCodes.USAGE, e.getMessage(), e);
    }
  }

  private static RunOptions read(JsonObject body, String name) throws IOException {
    refuseSet(body, CONFIG, "");
    boolean tty = truthy(body.get("Tty"));
    boolean openStdin = truthy(body.get("OpenStdin")) || truthy(body.get("AttachStdin"));
    if (openStdin && !tty) {
      // the monitor feeds input only to a terminal (TtyConsole)
      throw unsupported(
          "OpenStdin",
          "standard input of a container without a terminal (docker run -i without -t)");
    }
    JsonObject hc =
        body.object("HostConfig") == null ? JsonObject.EMPTY : body.object("HostConfig");
    refuseSet(hc, HOST_CONFIG, "HostConfig.");
    if (truthy(hc.get("Privileged"))) {
      throw new UserException(
          ExitCodes.USAGE, "HostConfig.Privileged: jbuild does not run privileged containers");
    }
    List<RunMount> binds = new ArrayList<>();
    List<VolumeMount> volumes = new ArrayList<>();
    for (String b : strings(hc, "Binds")) {
      RunMounts.volume(b, binds, volumes);
    }
    JsonArray mounts = hc.array("Mounts");
    if (mounts != null) {
      for (Json m : mounts.elements()) {
        RunMounts.mount(mountSpec((JsonObject) m), binds, volumes);
      }
    }
    JsonObject tmpfs = hc.object("Tmpfs");
    if (tmpfs != null) {
      for (String target : tmpfs.keys()) {
        RunMounts.tmpfs(target, tmpfs.string(target, ""), binds, volumes);
      }
    }
    Set<String> anonymous =
        body.object("Volumes") == null ? Set.of() : body.object("Volumes").keys();
    for (String target : anonymous) {
      if (volumes.stream().noneMatch(v -> v.target().equals(target))
          && binds.stream().noneMatch(b -> b.target().equals(target))) {
        volumes.add(new VolumeMount(null, target, false, false));
      }
    }
    List<PortMapping> ports = new ArrayList<>();
    JsonObject bindings = hc.object("PortBindings");
    if (bindings != null) {
      for (String port : bindings.keys()) {
        JsonArray list = bindings.array(port);
        if (list == null || list.isEmpty()) {
          ports.add(NetworkOptions.parsePublish(port));
          continue;
        }
        for (Json j : list.elements()) {
          JsonObject pb = (JsonObject) j;
          String ip = pb.string("HostIp", "");
          String hostPort = pb.string("HostPort", "");
          String spec = (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + hostPort + ":" + port;
          ports.add(NetworkOptions.parsePublish(ip.isEmpty() ? hostPort + ":" + port : spec));
        }
      }
    }
    String network = hc.string("NetworkMode", "default");
    network = network.isEmpty() ? "default" : network;
    String joinContainer = null;
    String userNetwork = null;
    String networkMode = network;
    if (network.startsWith("container:")) {
      joinContainer = network.substring("container:".length());
      networkMode = "default";
    } else if (!NetworkOptions.isBuiltinRunNetwork(network)) {
      userNetwork = network;
      networkMode = "default";
    }
    List<String> aliases = new ArrayList<>();
    JsonObject nc = body.object("NetworkingConfig");
    JsonObject endpoints = nc == null ? null : nc.object("EndpointsConfig");
    if (endpoints != null) {
      for (String net : endpoints.keys()) {
        JsonObject ep = endpoints.object(net);
        if (!net.equals(network) && !(net.equals("bridge") && networkMode.equals("default"))) {
          throw new IllegalArgumentException(
              "NetworkingConfig.EndpointsConfig."
                  + net
                  + ": a container joins one network at create (connect it to more afterwards)");
        }
        refuseSet(ep, Set.of("Aliases"), "NetworkingConfig.EndpointsConfig." + net + ".");
        aliases.addAll(strings(ep, "Aliases"));
      }
    }
    if (!aliases.isEmpty() && userNetwork == null) {
      throw new IllegalArgumentException(
          "NetworkingConfig: network aliases need a user network (HostConfig.NetworkMode NAME)");
    }
    Wiring wiring =
        new Wiring(
            volumes,
            NetworkOptions.parseDns(strings(hc, "Dns")),
            NetworkOptions.parseAddHosts(strings(hc, "ExtraHosts")),
            ports,
            truthy(hc.get("PublishAllPorts")),
            joinContainer,
            userNetwork,
            aliases);
    HostConfig.LogConfig log = HostConfig.LogConfig.DEFAULT;
    JsonObject logConfig = hc.object("LogConfig");
    if (logConfig != null) {
      String type = logConfig.string("Type", "");
      if (!type.isEmpty() && !type.equals("json-file")) {
        throw new IllegalArgumentException(
            "HostConfig.LogConfig.Type \"" + type + "\": jbuild keeps json-file logs only");
      }
      Map<String, String> opts =
          logConfig.object("Config") == null ? Map.of() : logConfig.stringMap("Config");
      for (Map.Entry<String, String> e : opts.entrySet()) {
        log = log.with(e.getKey() + "=" + e.getValue());
      }
    }
    JsonObject restart = hc.object("RestartPolicy");
    HostConfig.RestartPolicy policy = HostConfig.RestartPolicy.NO;
    if (restart != null) {
      String n = restart.string("Name", "");
      long max =
          restart.longValue("MaximumRetryCount") == null
              ? 0
              : restart.longValue("MaximumRetryCount");
      policy = HostConfig.RestartPolicy.parse(max > 0 ? n + ":" + max : n);
    }
    boolean autoRemove = truthy(hc.get("AutoRemove"));
    if (autoRemove && !policy.name().equals("no")) {
      throw new IllegalArgumentException(
          "HostConfig: conflicting options: AutoRemove and a RestartPolicy");
    }
    long memory = longOf(hc, "Memory");
    long swap = longOf(hc, "MemorySwap");
    if (swap != 0 && swap != memory) {
      throw unsupported("MemorySwap", "a swap limit other than the memory limit");
    }
    HostConfig host =
        new HostConfig(
            policy,
            log,
            null,
            truthy(hc.get("Init")),
            health(body.object("Healthcheck")),
            new HostConfig.Resources(memory, longOf(hc, "NanoCpus"), longOf(hc, "PidsLimit")),
            HostConfig.Security.of(
                strings(hc, "CapAdd"),
                strings(hc, "CapDrop"),
                truthy(hc.get("ReadonlyRootfs")),
                "HostConfig.CapAdd",
                "HostConfig.CapDrop"));
    String stopSignal = emptyToNull(body.string("StopSignal", ""));
    if (stopSignal != null) {
      try {
        dev.jbuild.runner.container.Signals.number(stopSignal);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("StopSignal: " + e.getMessage(), e);
      }
    }
    Long stopTimeout = body.longValue("StopTimeout");
    if (stopTimeout != null && (stopTimeout > Integer.MAX_VALUE || stopTimeout < -1)) {
      throw new IllegalArgumentException("StopTimeout: " + stopTimeout + " is out of range");
    }
    List<String> cmd = strings(body, "Cmd");
    String entrypoint = null;
    List<String> ep =
        body.get("Entrypoint") instanceof JsonString s
            ? List.of(s.value())
            : strings(body, "Entrypoint");
    if (body.hasValue("Entrypoint")) {
      if (ep.size() > 1) {
        // docker's Entrypoint array: its first word replaces the image's, the rest go before Cmd
        List<String> joined = new ArrayList<>(ep.subList(1, ep.size()));
        joined.addAll(cmd);
        cmd = joined;
      }
      entrypoint = ep.isEmpty() ? "" : ep.getFirst();
    }
    String hostname = body.string("Hostname", "");
    return new RunOptions(
        cmd,
        entrypoint,
        strings(body, "Env"),
        List.of(),
        emptyToNull(body.string("User", "")),
        emptyToNull(body.string("WorkingDir", "")),
        emptyToNull(hostname),
        NetworkOptions.parseRunNetwork(networkMode),
        binds,
        tty,
        openStdin,
        name == null || name.isEmpty() ? null : name,
        true,
        autoRemove,
        null,
        NetworkOptions.parseSecurityOpts(seccomp(strings(hc, "SecurityOpt"))),
        wiring,
        host,
        stopSignal,
        stopTimeout == null ? null : stopTimeout.intValue());
  }

  /** Only seccomp=unconfined can come through the API (docker sends a profile's text inline). */
  private static List<String> seccomp(List<String> opts) {
    for (String o : opts) {
      if (!o.equals("seccomp=unconfined") && !o.equals("seccomp:unconfined")) {
        throw new IllegalArgumentException(
            "HostConfig.SecurityOpt \""
                + shorten(o)
                + "\": jbuild's daemon takes seccomp=unconfined only");
      }
    }
    return opts;
  }

  private static String shorten(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }

  private static HealthConfig health(JsonObject h) {
    if (h == null || h.isEmpty()) {
      return null;
    }
    JsonObject.Builder b = JsonObject.builder();
    for (String k : h.keys()) {
      Json v = h.get(k);
      // zero durations and retries mean "the image's" in docker's API: leave them out
      if (!isZero(v)) {
        b.put(k, v);
      }
    }
    return new HealthConfig(b.build());
  }

  /** {@code HostConfig.Mounts[i]} as a {@code --mount} spec. */
  private static String mountSpec(JsonObject m) {
    refuseSet(
        m,
        Set.of(
            "Type", "Source", "Target", "ReadOnly", "VolumeOptions", "TmpfsOptions", "Consistency"),
        "HostConfig.Mounts.");
    StringBuilder s = new StringBuilder("type=" + m.string("Type", "volume"));
    String source = m.string("Source", "");
    if (!source.isEmpty()) {
      s.append(",source=").append(source);
    }
    s.append(",target=").append(m.string("Target", ""));
    if (truthy(m.get("ReadOnly"))) {
      s.append(",readonly");
    }
    JsonObject vo = m.object("VolumeOptions");
    if (vo != null) {
      refuseSet(vo, Set.of("NoCopy"), "HostConfig.Mounts.VolumeOptions.");
      if (truthy(vo.get("NoCopy"))) {
        s.append(",volume-nocopy");
      }
    }
    JsonObject to = m.object("TmpfsOptions");
    if (to != null) {
      refuseSet(to, Set.of("SizeBytes", "Mode"), "HostConfig.Mounts.TmpfsOptions.");
      if (longOf(to, "SizeBytes") > 0) {
        s.append(",tmpfs-size=").append(longOf(to, "SizeBytes"));
      }
      if (longOf(to, "Mode") > 0) {
        s.append(",tmpfs-mode=").append(Long.toOctalString(longOf(to, "Mode")));
      }
    }
    return s.toString();
  }

  /** Every member of {@code o} not in {@code known} must be at its zero value. */
  private static void refuseSet(JsonObject o, Set<String> known, String prefix) {
    for (String k : o.keys()) {
      if (!known.contains(k)
          && !k.equals("Tty")
          && !k.equals("OpenStdin")
          && !k.equals("Privileged")
          && !isZero(o.get(k))
          && !(k.equals("MemorySwappiness") && o.get(k).toString().equals("-1"))) {
        throw new UserException(ExitCodes.USAGE, prefix + k + ": not supported by jbuild's daemon");
      }
    }
  }

  private static UserException unsupported(String field, String what) {
    return new UserException(
        ExitCodes.USAGE, field + ": " + what + " is not supported by jbuild's daemon");
  }

  /** Docker's zero values: null, false, 0, "", and empty or all-zero arrays and objects. */
  public static boolean isZero(Json v) {
    return switch (v) {
      case null -> true;
      case JsonNull n -> true;
      case JsonBool b -> !b.value();
      case JsonNumber n -> n.text().matches("-?0+(\\.0+)?");
      case JsonString s -> s.value().isEmpty();
      case JsonArray a -> a.elements().stream().allMatch(ApiContainerRequests::isZero);
      case JsonObject o -> o.members().values().stream().allMatch(ApiContainerRequests::isZero);
    };
  }

  private static boolean truthy(Json v) {
    return v instanceof JsonBool b && b.value();
  }

  private static List<String> strings(JsonObject o, String key) {
    List<String> s = o.strings(key);
    return s == null ? List.of() : s;
  }

  private static long longOf(JsonObject o, String key) {
    Long v = o.longValue(key);
    return v == null ? 0 : v;
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
