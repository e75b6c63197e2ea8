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

  /** {@code ALL} in {@code --cap-add} and {@code --cap-drop}: every capability. */
  public static final String ALL = "ALL";

  private static volatile List<String> known;

  /**
   * Every capability the running kernel knows (its {@code /proc/sys/kernel/cap_last_cap}), by name
   * in number order: what {@code --cap-add ALL} grants, as moby's caps.GetAllCapabilities.
   */
  public static List<String> all() {
    List<String> k = known;
    if (k == null) {
      int last = BY_NUMBER.size() - 1;
      // a stream: Files.readAllBytes reads this sysctl file short ("4" of "40\n", JDK 25)
      try (java.io.InputStream in =
          java.nio.file.Files.newInputStream(
              java.nio.file.Path.of("/proc/sys/kernel/cap_last_cap"))) {
        last =
            Math.min(
                last,
                Integer.parseInt(
                    new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)
                        .strip()));
      } catch (java.io.IOException | NumberFormatException e) {
        // every capability this table names
      }
      k = BY_NUMBER.subList(0, last + 1);
      known = k;
    }
    return k;
  }

  /**
   * One capability of {@code --cap-add}/{@code --cap-drop} as Docker reads it: case-insensitive,
   * with or without {@code CAP_}, or {@code ALL}; an IllegalArgumentException {@code unknown
   * capability: "CAP_X"} for a name the kernel does not know.
   */
  public static String normalize(String name) {
    String c = name.strip().toUpperCase(java.util.Locale.ROOT);
    if (c.equals(ALL)) {
      return c;
    }
    if (!c.startsWith("CAP_")) {
      c = "CAP_" + c;
    }
    if (!all().contains(c)) {
      throw new IllegalArgumentException("unknown capability: \"" + c + "\"");
    }
    return c;
  }

  /**
   * The capability set of a container: {@code basics} with {@code drops} taken out, then {@code
   * adds} put in, as moby's caps.TweakCapabilities: {@code ALL} added is every capability but the
   * dropped ones; {@code ALL} dropped leaves the added ones only. Names are normalized ({@link
   * #normalize}); duplicates are kept once.
   */
  public static List<String> tweak(List<String> basics, List<String> adds, List<String> drops) {
    if (adds.isEmpty() && drops.isEmpty()) {
      return basics;
    }
    List<String> add = adds.stream().map(Capabilities::normalize).toList();
    List<String> drop = drops.stream().map(Capabilities::normalize).toList();
    java.util.LinkedHashSet<String> caps = new java.util.LinkedHashSet<>();
    if (add.contains(ALL)) {
      for (String c : all()) {
        if (!drop.contains(c)) {
          caps.add(c);
        }
      }
    } else if (drop.contains(ALL)) {
      caps.addAll(add);
    } else {
      for (String c : basics) {
        if (!drop.contains(c)) {
          caps.add(c);
        }
      }
      caps.addAll(add);
    }
    return List.copyOf(caps);
  }

  /**
   * The docker CLI's reading of {@code --cap-add} and {@code --cap-drop} (its
   * EffectiveCapAddCapDrop): names normalized without validation, {@code ALL} trumping the others
   * of its list, a capability both added and dropped is added only; each list sorted, once each.
   * Returns {add, drop}.
   */
  public static List<List<String>> effectiveAddDrop(List<String> adds, List<String> drops) {
    java.util.TreeSet<String> add = new java.util.TreeSet<>();
    java.util.TreeSet<String> drop = new java.util.TreeSet<>();
    for (String a : adds) {
      add.add(spelled(a));
    }
    for (String d : drops) {
      drop.add(spelled(d));
    }
    if (add.contains(ALL)) {
      add.retainAll(java.util.Set.of(ALL));
    }
    if (drop.contains(ALL)) {
      drop.retainAll(java.util.Set.of(ALL));
    }
    drop.removeAll(add);
    return List.of(List.copyOf(add), List.copyOf(drop));
  }

  private static String spelled(String name) {
    String c = name.strip().toUpperCase(java.util.Locale.ROOT);
    return c.equals(ALL) || c.startsWith("CAP_") ? c : "CAP_" + c;
  }

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
