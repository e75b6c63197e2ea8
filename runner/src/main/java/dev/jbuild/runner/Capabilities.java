package dev.jbuild.runner;

import java.util.List;

/** The capabilities the runner grants. */
public final class Capabilities {
  private Capabilities() {}

  /**
   * Docker's default capability set (moby oci/caps/defaults.go): what a RUN step or a {@code jbuild
   * run} container running as root gets.
   */
  public static final List<String> DOCKER_DEFAULT =
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

  /** The capabilities by number (linux/capability.h, 0 to 40), for the bits of a CapEff mask. */
  public static final List<String> BY_NUMBER =
      List.of(
          "CAP_CHOWN",
          "CAP_DAC_OVERRIDE",
          "CAP_DAC_READ_SEARCH",
          "CAP_FOWNER",
          "CAP_FSETID",
          "CAP_KILL",
          "CAP_SETGID",
          "CAP_SETUID",
          "CAP_SETPCAP",
          "CAP_LINUX_IMMUTABLE",
          "CAP_NET_BIND_SERVICE",
          "CAP_NET_BROADCAST",
          "CAP_NET_ADMIN",
          "CAP_NET_RAW",
          "CAP_IPC_LOCK",
          "CAP_IPC_OWNER",
          "CAP_SYS_MODULE",
          "CAP_SYS_RAWIO",
          "CAP_SYS_CHROOT",
          "CAP_SYS_PTRACE",
          "CAP_SYS_PACCT",
          "CAP_SYS_ADMIN",
          "CAP_SYS_BOOT",
          "CAP_SYS_NICE",
          "CAP_SYS_RESOURCE",
          "CAP_SYS_TIME",
          "CAP_SYS_TTY_CONFIG",
          "CAP_MKNOD",
          "CAP_LEASE",
          "CAP_AUDIT_WRITE",
          "CAP_AUDIT_CONTROL",
          "CAP_SETFCAP",
          "CAP_MAC_OVERRIDE",
          "CAP_MAC_ADMIN",
          "CAP_SYSLOG",
          "CAP_WAKE_ALARM",
          "CAP_BLOCK_SUSPEND",
          "CAP_AUDIT_READ",
          "CAP_PERFMON",
          "CAP_BPF",
          "CAP_CHECKPOINT_RESTORE");

  private static volatile List<String> current;

  /**
   * The effective capabilities of jbuild's process (its CapEff in /proc/self/status), by name, in
   * number order: what BuildKit's insecure mode grants (containerd's cap.Current). In a user
   * namespace (rootless) jbuild is root there and has all of them over its namespace.
   */
  public static List<String> current() {
    List<String> c = current;
    if (c == null) {
      c = parseCapEff(readStatus());
      current = c;
    }
    return c;
  }

  private static String readStatus() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/status"));
    } catch (java.io.IOException e) {
      return "";
    }
  }

  /** The names of the bits of the CapEff line of a /proc/PID/status text (unknown bits skipped). */
  static List<String> parseCapEff(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("CapEff:")) {
        long mask = Long.parseUnsignedLong(line.substring(7).strip(), 16);
        List<String> out = new java.util.ArrayList<>();
        for (int bit = 0; bit < BY_NUMBER.size(); bit++) {
          if ((mask & (1L << bit)) != 0) {
            out.add(BY_NUMBER.get(bit));
          }
        }
        return List.copyOf(out);
      }
    }
    return DOCKER_DEFAULT;
  }
}
