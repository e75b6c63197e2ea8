package dev.jbuild.runner.spec;

import dev.jbuild.layercache.fs.UserNamespace;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonNumber;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.Capabilities;
import dev.jbuild.runner.Rlimit;
import dev.jbuild.runner.RunSettings;
import dev.jbuild.runner.SeccompProfile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes config.json: compact, with Docker's defaults for everything a Dockerfile cannot change:
 * capabilities, masked and read-only paths, mounts and Docker's default seccomp profile (translated
 * for the capability set, see {@link SeccompProfile}). No cgroup namespace (hosts with cgroup v1
 * lack it).
 */
public final class SpecWriter {
  /** Docker's default capability set: {@link Capabilities#DOCKER_DEFAULT}. */
  public static final List<String> DEFAULT_CAPABILITIES = Capabilities.DOCKER_DEFAULT;

  /** Docker's default masked paths. */
  public static final List<String> MASKED_PATHS =
      List.of(
          "/proc/asound",
          "/proc/acpi",
          "/proc/kcore",
          "/proc/keys",
          "/proc/latency_stats",
          "/proc/timer_list",
          "/proc/timer_stats",
          "/proc/sched_debug",
          "/proc/scsi",
          "/sys/firmware",
          "/sys/devices/virtual/powercap");

  /** Docker's default read-only paths. */
  public static final List<String> READONLY_PATHS =
      List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

  /** The mounts every container gets (Docker's defaults without the cgroup mount). */
  public static final List<SpecMount> DEFAULT_MOUNTS =
      List.of(
          new SpecMount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")),
          new SpecMount(
              "/dev",
              "tmpfs",
              "tmpfs",
              List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
          new SpecMount(
              "/dev/pts",
              "devpts",
              "devpts",
              List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
          new SpecMount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
          // read-only cgroups, as Docker's containers (and BuildKit's RUN) see them
          new SpecMount(
              "/sys/fs/cgroup",
              "cgroup",
              "cgroup",
              List.of("nosuid", "noexec", "nodev", "relatime", "ro")),
          new SpecMount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
          new SpecMount(
              "/dev/shm",
              "tmpfs",
              "shm",
              List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")));

  private SpecWriter() {}

  /** The destinations of all mounts the spec will have (defaults first, as ordered in the spec). */
  public static List<SpecMount> allMounts(RuntimeSpec spec) {
    Set<String> overridden = new HashSet<>();
    for (SpecMount m : spec.mounts()) {
      overridden.add(m.destination());
    }
    // rootless on the host's network: sysfs may only be mounted by the owner of the network
    // namespace, so the host's /sys is bound read-only instead (its cgroup tree included), as
    // rootless runc's own spec does
    boolean bindSys = spec.hostNetwork() && !UserNamespace.current().isInitial();
    List<SpecMount> all = new ArrayList<>();
    for (SpecMount m : DEFAULT_MOUNTS) {
      if (overridden.contains(m.destination())) {
        continue;
      }
      if (bindSys && m.destination().equals("/sys")) {
        all.add(
            new SpecMount(
                "/sys", "none", "/sys", List.of("rbind", "nosuid", "noexec", "nodev", "ro")));
      } else if (m.destination().equals("/dev/pts") && !UserNamespace.current().mapsGid(5)) {
        // a single-id user namespace has no gid 5 (tty) to give the pty devices
        List<String> options = new ArrayList<>(m.options());
        options.remove("gid=5");
        all.add(new SpecMount(m.destination(), m.type(), m.source(), options));
      } else if (!(bindSys && m.destination().equals("/sys/fs/cgroup"))) {
        all.add(m);
      }
    }
    all = adjusted(all, spec.settings());
    List<SpecMount> extra = new ArrayList<>(spec.mounts());
    // parents before children: a mount on /a/b must come after one on /a
    extra.sort(
        Comparator.comparingLong(m -> m.destination().chars().filter(c -> c == '/').count()));
    all.addAll(extra);
    return all;
  }

  /**
   * The default mounts as {@code settings} change them: /dev/shm of the asked size (Docker's {@code
   * size=} in bytes); in insecure mode /sys and the cgroup tree writable (BuildKit's
   * WithWriteableSysfs and WithWriteableCgroupfs).
   */
  private static List<SpecMount> adjusted(List<SpecMount> mounts, RunSettings settings) {
    if (settings.shmSize() == 0 && !settings.insecure()) {
      return mounts;
    }
    List<SpecMount> out = new ArrayList<>(mounts.size());
    for (SpecMount m : mounts) {
      List<String> options = new ArrayList<>(m.options());
      if (settings.shmSize() > 0 && m.destination().equals("/dev/shm")) {
        options.replaceAll(o -> o.startsWith("size=") ? "size=" + settings.shmSize() : o);
      }
      if (settings.insecure()
          && (m.destination().equals("/sys") || m.destination().equals("/sys/fs/cgroup"))) {
        options.remove("ro");
      }
      out.add(new SpecMount(m.destination(), m.type(), m.source(), options));
    }
    return out;
  }

  /** config.json, compact (layer-cache's JSON writer; members in the order runc documents them). */
  public static String toJson(RuntimeSpec spec) {
    JsonObject.Builder user =
        JsonObject.builder().put("uid", spec.user().uid()).put("gid", spec.user().gid());
    if (!spec.user().additionalGids().isEmpty()) {
      user.put(
          "additionalGids",
          new JsonArray(spec.user().additionalGids().stream().<Json>map(Json::of).toList()));
    }
    RunSettings settings = spec.settings();
    JsonObject capabilities;
    if (settings.insecure()) {
      // BuildKit's insecure spec: every capability jbuild has, in all five sets
      Json all = Json.ofStrings(Capabilities.current());
      capabilities =
          JsonObject.builder()
              .put("bounding", all)
              .put("effective", all)
              .put("inheritable", all)
              .put("permitted", all)
              .put("ambient", all)
              .build();
    } else {
      // Docker (since 20.10.14) gives a non-root user no effective or permitted capabilities
      List<String> effective = spec.user().isRoot() ? DEFAULT_CAPABILITIES : List.of();
      capabilities =
          JsonObject.builder()
              .put("bounding", Json.ofStrings(DEFAULT_CAPABILITIES))
              .put("effective", Json.ofStrings(effective))
              .put("permitted", Json.ofStrings(effective))
              .build();
    }
    JsonObject.Builder process =
        JsonObject.builder()
            .put("terminal", spec.terminal())
            .put("user", user.build())
            .put("args", Json.ofStrings(spec.args()))
            .put("env", Json.ofStrings(spec.env()))
            .put("cwd", spec.cwd())
            .put("capabilities", capabilities);
    List<Rlimit> rlimits = settings.rlimits();
    if (spec.nofile() >= 0) {
      rlimits =
          Rlimit.withDefault(rlimits, new Rlimit("RLIMIT_NOFILE", spec.nofile(), spec.nofile()));
    }
    if (!rlimits.isEmpty()) {
      List<Json> limits = new ArrayList<>();
      for (Rlimit r : rlimits) {
        limits.add(
            JsonObject.builder()
                .put("type", r.type())
                .put("hard", new JsonNumber(Rlimit.specValue(r.hard())))
                .put("soft", new JsonNumber(Rlimit.specValue(r.soft())))
                .build());
      }
      process.put("rlimits", new JsonArray(limits));
    }
    process.put("noNewPrivileges", false);
    List<Json> mounts = new ArrayList<>();
    for (SpecMount m : allMounts(spec)) {
      mounts.add(
          JsonObject.builder()
              .put("destination", m.destination())
              .put("type", m.type())
              .put("source", m.source())
              .put("options", Json.ofStrings(m.options()))
              .build());
    }
    List<Json> namespaces = new ArrayList<>();
    for (String ns : NAMESPACES) {
      namespaces.add(JsonObject.builder().put("type", ns).build());
    }
    if (!spec.hostNetwork()) {
      namespaces.add(
          JsonObject.builder()
              .put("type", "network")
              .putIfNotNull("path", spec.netnsPath())
              .build());
    }
    JsonObject.Builder linux =
        JsonObject.builder()
            .put("namespaces", new JsonArray(namespaces))
            .putIfNotNull("cgroupsPath", spec.cgroupsPath());
    if (settings.insecure()) {
      // BuildKit's insecure spec: nothing masked or read-only, no seccomp; as root every device
      linux.put("maskedPaths", JsonArray.of()).put("readonlyPaths", JsonArray.of());
      if (UserNamespace.current().isInitial()) {
        linux.put("devices", InsecureDevices.nodes());
        linux.put("resources", InsecureDevices.allowAll());
      }
    } else {
      linux
          .put("maskedPaths", Json.ofStrings(MASKED_PATHS))
          .put("readonlyPaths", Json.ofStrings(READONLY_PATHS))
          .putIfNotNull("seccomp", spec.seccomp().linuxSeccomp(DEFAULT_CAPABILITIES));
    }
    return JsonObject.builder()
        .put("ociVersion", "1.0.2")
        .put("process", process.build())
        .put("root", JsonObject.builder().put("path", spec.rootfs()).put("readonly", false).build())
        .put("hostname", spec.hostname())
        .put("mounts", new JsonArray(mounts))
        .put("linux", linux.build())
        .build()
        .toString();
  }

  private static final List<String> NAMESPACES = List.of("pid", "ipc", "uts", "mount");
}
