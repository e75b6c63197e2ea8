package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * The lifecycle settings of a container, kept in {@code hostconfig.json} next to its record (as
 * Docker keeps them). Parse errors are IllegalArgumentExceptions (usage errors): what its monitor
 * does when it exits and how its log is capped. Other groups of settings (networks, volumes) keep
 * their own files.
 *
 * @param restart {@code --restart}
 * @param log {@code --log-opt max-size=, max-file=}
 * @param networkMode {@code --network} as given: default, host or none
 * @param init {@code --init}: a minimal init (tini) is the container's PID 1 and reaps zombies
 * @param health {@code --health-*} and {@code --no-healthcheck} over the image's HEALTHCHECK (null:
 *     the image's); kept apart, in {@code healthcheck.json}, once merged at create
 * @param security {@code --cap-add}, {@code --cap-drop}, {@code --read-only}
 */
public record HostConfig(
    RestartPolicy restart,
    LogConfig log,
    String networkMode,
    boolean init,
    dev.jbuild.layercache.model.HealthConfig health,
    Resources resources,
    Security security) {
  static final String FILE = "hostconfig.json";

  public HostConfig {
    restart = restart == null ? RestartPolicy.NO : restart;
    log = log == null ? LogConfig.DEFAULT : log;
    networkMode = networkMode == null || networkMode.isEmpty() ? "default" : networkMode;
    resources = resources == null ? Resources.NONE : resources;
    security = security == null ? Security.NONE : security;
  }

  public HostConfig(
      RestartPolicy restart,
      LogConfig log,
      String networkMode,
      boolean init,
      dev.jbuild.layercache.model.HealthConfig health,
      Resources resources) {
    this(restart, log, networkMode, init, health, resources, null);
  }

  public HostConfig(
      RestartPolicy restart,
      LogConfig log,
      String networkMode,
      boolean init,
      dev.jbuild.layercache.model.HealthConfig health) {
    this(restart, log, networkMode, init, health, null, null);
  }

  /**
   * Docker's HostConfig CapAdd, CapDrop (names as given, normalized: {@code CAP_X} or {@code ALL})
   * and ReadonlyRootfs.
   */
  public record Security(List<String> capAdd, List<String> capDrop, boolean readonlyRootfs) {
    public static final Security NONE = new Security(List.of(), List.of(), false);

    public Security {
      capAdd = List.copyOf(capAdd);
      capDrop = List.copyOf(capDrop);
    }

    /**
     * Checked: every name a capability the kernel knows (an IllegalArgumentException naming it,
     * prefixed by {@code what} of the list), each normalized.
     */
    public static Security of(
        List<String> capAdd,
        List<String> capDrop,
        boolean readonlyRootfs,
        String addName,
        String dropName) {
      return new Security(
          normalized(capAdd, addName), normalized(capDrop, dropName), readonlyRootfs);
    }

    private static List<String> normalized(List<String> caps, String what) {
      List<String> out = new java.util.ArrayList<>();
      for (String c : caps) {
        try {
          out.add(dev.jbuild.runner.Capabilities.normalize(c));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
      }
      return out;
    }

    /** Whether anything differs from Docker's defaults. */
    public boolean any() {
      return !capAdd.isEmpty() || !capDrop.isEmpty() || readonlyRootfs;
    }

    /** The container's capabilities: Docker's defaults with these drops and adds. */
    public List<String> capabilities() {
      return dev.jbuild.runner.Capabilities.tweak(
          dev.jbuild.runner.Capabilities.DOCKER_DEFAULT, capAdd, capDrop);
    }
  }

  /**
   * Cgroup limits (0: none), as Docker's HostConfig Memory, NanoCpus, PidsLimit.
   *
   * @param memory bytes
   * @param nanoCpus CPUs x 10^9 ({@code --cpus 1.5} = 1500000000)
   */
  public record Resources(long memory, long nanoCpus, long pidsLimit) {
    public static final Resources NONE = new Resources(0, 0, 0);

    public boolean any() {
      return memory > 0 || nanoCpus > 0 || pidsLimit > 0;
    }

    /**
     * The OCI spec's {@code linux.resources}: memory limit, CFS quota over a 100 ms period, pids.
     */
    JsonObject toSpec() {
      JsonObject.Builder b = JsonObject.builder();
      if (memory > 0) {
        b.put("memory", JsonObject.builder().put("limit", memory).put("swap", memory).build());
      }
      if (nanoCpus > 0) {
        long period = 100_000;
        b.put(
            "cpu",
            JsonObject.builder()
                .put("quota", nanoCpus * period / 1_000_000_000L)
                .put("period", period)
                .build());
      }
      if (pidsLimit > 0) {
        b.put("pids", JsonObject.builder().put("limit", pidsLimit).build());
      }
      return b.build();
    }
  }

  public static final HostConfig DEFAULT =
      new HostConfig(RestartPolicy.NO, LogConfig.DEFAULT, "default", false, null);

  HostConfig withNetworkMode(String mode) {
    return new HostConfig(restart, log, mode, init, health, resources, security);
  }

  /**
   * Docker's restart policies: {@code no}, {@code on-failure[:N]}, {@code always}, {@code
   * unless-stopped}.
   */
  public record RestartPolicy(String name, int maximumRetryCount) {
    public static final RestartPolicy NO = new RestartPolicy("no", 0);

    /** Parses {@code --restart}; a usage error names the value. */
    public static RestartPolicy parse(String text) {
      if (text == null || text.isEmpty() || text.equals("no")) {
        return NO;
      }
      int colon = text.indexOf(':');
      String name = colon < 0 ? text : text.substring(0, colon);
      int max = 0;
      if (colon >= 0) {
        if (!name.equals("on-failure")) {
          throw invalid(text, "a maximum retry count is only valid with on-failure");
        }
        try {
          max = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
          throw invalid(text, "the maximum retry count must be a number");
        }
        if (max < 0) {
          throw invalid(text, "the maximum retry count must not be negative");
        }
      }
      return switch (name) {
        case "on-failure", "always", "unless-stopped" -> new RestartPolicy(name, max);
        default -> throw invalid(text, "use no, on-failure[:N], always or unless-stopped");
      };
    }

    /**
     * Whether a container that exited with {@code exitCode} after {@code restarts} restarts starts
     * again; never after {@code jbuild stop} or {@code kill} ({@code manuallyStopped}).
     */
    public boolean restarts(int exitCode, int restarts, boolean manuallyStopped) {
      if (manuallyStopped) {
        return false;
      }
      return switch (name) {
        case "always", "unless-stopped" -> true;
        case "on-failure" ->
            exitCode != 0 && (maximumRetryCount == 0 || restarts < maximumRetryCount);
        default -> false;
      };
    }

    private static IllegalArgumentException invalid(String text, String why) {
      return new IllegalArgumentException("invalid restart policy \"" + text + "\": " + why);
    }
  }

  /**
   * The json-file log's cap: at most {@code maxFiles} files of {@code maxSize} bytes each (the
   * current one and rotated ones).
   */
  public record LogConfig(long maxSize, int maxFiles) {
    /** 10 MB in 3 files unless {@code --log-opt} says otherwise. */
    public static final LogConfig DEFAULT = new LogConfig(10L * 1000 * 1000, 3);

    public LogConfig {
      if (maxSize < 1) {
        throw new IllegalArgumentException("max-size must be positive");
      }
      if (maxFiles < 1) {
        throw new IllegalArgumentException("max-file must be at least 1");
      }
    }

    /** Applies one {@code --log-opt K=V} (max-size, max-file) to this. */
    public LogConfig with(String option) {
      int eq = option.indexOf('=');
      String key = eq < 0 ? option : option.substring(0, eq);
      String value = eq < 0 ? "" : option.substring(eq + 1);
      return switch (key) {
        case "max-size" -> new LogConfig(parseSize(option, value), maxFiles);
        case "max-file" -> {
          int n;
          try {
            n = Integer.parseInt(value);
          } catch (NumberFormatException e) {
            n = 0;
          }
          if (n < 1) {
            throw new IllegalArgumentException(
                "invalid log option \"" + option + "\": max-file must be a positive number");
          }
          yield new LogConfig(maxSize, n);
        }
        default ->
            throw new IllegalArgumentException(
                "unknown log option \"" + key + "\" for log driver json-file (max-size, max-file)");
      };
    }

    /** Docker's units.FromHumanSize: 10m, 1g, 500k, 1024 (decimal units, as docker). */
    static long parseSize(String option, String value) {
      String v = value.strip().toLowerCase(Locale.ROOT);
      long unit = 1;
      if (v.endsWith("b")) {
        v = v.substring(0, v.length() - 1);
      }
      if (!v.isEmpty()) {
        switch (v.charAt(v.length() - 1)) {
          case 'k' -> unit = 1000L;
          case 'm' -> unit = 1000L * 1000;
          case 'g' -> unit = 1000L * 1000 * 1000;
          default -> unit = 1;
        }
        if (unit > 1) {
          v = v.substring(0, v.length() - 1);
        }
      }
      try {
        double d = Double.parseDouble(v);
        long size = (long) (d * unit);
        if (size >= 1) {
          return size;
        }
      } catch (NumberFormatException e) {
        // below
      }
      throw new IllegalArgumentException(
          "invalid log option \"" + option + "\": max-size must be a size such as 10m");
    }
  }

  /**
   * The healthcheck a container of an image with {@code image}'s HEALTHCHECK gets: the image's,
   * with each option given on the command line replacing its field; NONE with {@code
   * --no-healthcheck}; null when there is none.
   */
  dev.jbuild.layercache.model.HealthConfig effectiveHealth(
      dev.jbuild.layercache.model.HealthConfig image) {
    if (health == null) {
      return image;
    }
    List<String> test = health.test();
    if (test != null && !test.isEmpty() && test.getFirst().equals("NONE")) {
      return health;
    }
    JsonObject.Builder b = image == null ? JsonObject.builder() : image.json().toBuilder();
    for (String key : health.json().keys()) {
      b.put(key, health.json().get(key));
    }
    JsonObject merged = b.build();
    return merged.has("Test") ? new dev.jbuild.layercache.model.HealthConfig(merged) : null;
  }

  JsonObject toJson() {
    return JsonObject.builder()
        .put("NetworkMode", networkMode)
        .put("Init", init)
        .put("Memory", resources.memory())
        .put("NanoCpus", resources.nanoCpus())
        .put("PidsLimit", resources.pidsLimit())
        .put("CapAdd", Json.ofStrings(security.capAdd().isEmpty() ? null : security.capAdd()))
        .put("CapDrop", Json.ofStrings(security.capDrop().isEmpty() ? null : security.capDrop()))
        .put("ReadonlyRootfs", security.readonlyRootfs())
        .put(
            "RestartPolicy",
            JsonObject.builder()
                .put("Name", restart.name())
                .put("MaximumRetryCount", restart.maximumRetryCount())
                .build())
        .put(
            "LogConfig",
            JsonObject.builder()
                .put("Type", "json-file")
                .put(
                    "Config",
                    JsonObject.builder()
                        .put("max-size", Long.toString(log.maxSize()))
                        .put("max-file", Integer.toString(log.maxFiles()))
                        .build())
                .build())
        .build();
  }

  static HostConfig fromJson(JsonObject o) {
    RestartPolicy restart = RestartPolicy.NO;
    JsonObject rp = o.object("RestartPolicy");
    if (rp != null) {
      Long max = rp.longValue("MaximumRetryCount");
      restart = new RestartPolicy(rp.string("Name", "no"), max == null ? 0 : max.intValue());
    }
    LogConfig log = LogConfig.DEFAULT;
    JsonObject lc = o.object("LogConfig");
    if (lc != null && lc.object("Config") != null) {
      JsonObject c = lc.object("Config");
      log =
          new LogConfig(
              Long.parseLong(c.string("max-size", Long.toString(LogConfig.DEFAULT.maxSize()))),
              Integer.parseInt(
                  c.string("max-file", Integer.toString(LogConfig.DEFAULT.maxFiles()))));
    }
    return new HostConfig(
        restart,
        log,
        o.string("NetworkMode", "default"),
        Boolean.TRUE.equals(o.bool("Init")),
        null,
        new Resources(
            orZero(o.longValue("Memory")),
            orZero(o.longValue("NanoCpus")),
            orZero(o.longValue("PidsLimit"))),
        new Security(
            o.strings("CapAdd") == null ? List.of() : o.strings("CapAdd"),
            o.strings("CapDrop") == null ? List.of() : o.strings("CapDrop"),
            Boolean.TRUE.equals(o.bool("ReadonlyRootfs"))));
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }
}
