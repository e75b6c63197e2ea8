package dev.jbuild.runner.spec;

import dev.jbuild.layercache.fs.UserNamespace;
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
  /** Docker's default capability set (moby oci/caps/defaults.go). */
  public static final List<String> DEFAULT_CAPABILITIES =
      List.of(
          "CAP_CHOWN",
          "CAP_DAC_OVERRIDE",
          "CAP_FSETID",
          "CAP_FOWNER",
          "CAP_MKNOD",
          "CAP_NET_RAW",
          "CAP_SETGID",
          "CAP_SETUID",
          "CAP_SETFCAP",
          "CAP_SETPCAP",
          "CAP_NET_BIND_SERVICE",
          "CAP_SYS_CHROOT",
          "CAP_KILL",
          "CAP_AUDIT_WRITE");

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
    List<SpecMount> extra = new ArrayList<>(spec.mounts());
    // parents before children: a mount on /a/b must come after one on /a
    extra.sort(
        Comparator.comparingLong(m -> m.destination().chars().filter(c -> c == '/').count()));
    all.addAll(extra);
    return all;
  }

  public static String toJson(RuntimeSpec spec) {
    JsonOut j = new JsonOut();
    j.open().field("ociVersion", "1.0.2");
    j.key("process").open();
    j.field("terminal", spec.terminal());
    j.key("user").open().field("uid", spec.user().uid()).field("gid", spec.user().gid());
    if (!spec.user().additionalGids().isEmpty()) {
      j.key("additionalGids").openArray();
      for (long g : spec.user().additionalGids()) {
        j.value(g);
      }
      j.closeArray();
    }
    j.close();
    j.stringArray("args", spec.args());
    j.stringArray("env", spec.env());
    j.field("cwd", spec.cwd());
    j.key("capabilities").open();
    j.stringArray("bounding", DEFAULT_CAPABILITIES);
    // Docker (since 20.10.14) gives a non-root user no effective or permitted capabilities
    List<String> effective = spec.user().isRoot() ? DEFAULT_CAPABILITIES : List.of();
    j.stringArray("effective", effective);
    j.stringArray("permitted", effective);
    j.close();
    if (spec.nofile() >= 0) {
      j.key("rlimits").openArray().open();
      j.field("type", "RLIMIT_NOFILE").field("hard", spec.nofile()).field("soft", spec.nofile());
      j.close().closeArray();
    }
    j.field("noNewPrivileges", false);
    j.close();
    j.key("root").open().field("path", spec.rootfs()).field("readonly", false).close();
    j.field("hostname", spec.hostname());
    j.key("mounts").openArray();
    for (SpecMount m : allMounts(spec)) {
      j.open().field("destination", m.destination()).field("type", m.type());
      j.field("source", m.source()).stringArray("options", m.options()).close();
    }
    j.closeArray();
    j.key("linux").open();
    j.key("namespaces").openArray();
    for (String ns : NAMESPACES) {
      j.open().field("type", ns).close();
    }
    if (!spec.hostNetwork()) {
      j.open().field("type", "network");
      if (spec.netnsPath() != null) {
        j.field("path", spec.netnsPath());
      }
      j.close();
    }
    j.closeArray();
    if (spec.cgroupsPath() != null) {
      j.field("cgroupsPath", spec.cgroupsPath());
    }
    j.stringArray("maskedPaths", MASKED_PATHS);
    j.stringArray("readonlyPaths", READONLY_PATHS);
    String seccomp = spec.seccomp().ociJson(DEFAULT_CAPABILITIES);
    if (seccomp != null) {
      j.key("seccomp").raw(seccomp);
    }
    j.close();
    j.close();
    return j.toString();
  }

  private static final List<String> NAMESPACES = List.of("pid", "ipc", "uts", "mount");
}
