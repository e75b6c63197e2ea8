package dev.jbuild.runner;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A process resource limit as the OCI runtime spec has it ({@code process.rlimits}): {@code type}
 * is {@code RLIMIT_NOFILE} and so on; -1 is unlimited (RLIM_INFINITY, written as the spec's
 * unsigned maximum).
 */
public record Rlimit(String type, long soft, long hard) {
  /** Docker's {@code --ulimit} names (go-units' ulimitNameMapping) and their RLIMIT_ types. */
  public static final Map<String, String> NAMES =
      Map.ofEntries(
          Map.entry("core", "RLIMIT_CORE"),
          Map.entry("cpu", "RLIMIT_CPU"),
          Map.entry("data", "RLIMIT_DATA"),
          Map.entry("fsize", "RLIMIT_FSIZE"),
          Map.entry("locks", "RLIMIT_LOCKS"),
          Map.entry("memlock", "RLIMIT_MEMLOCK"),
          Map.entry("msgqueue", "RLIMIT_MSGQUEUE"),
          Map.entry("nice", "RLIMIT_NICE"),
          Map.entry("nofile", "RLIMIT_NOFILE"),
          Map.entry("nproc", "RLIMIT_NPROC"),
          Map.entry("rss", "RLIMIT_RSS"),
          Map.entry("rtprio", "RLIMIT_RTPRIO"),
          Map.entry("rttime", "RLIMIT_RTTIME"),
          Map.entry("sigpending", "RLIMIT_SIGPENDING"),
          Map.entry("stack", "RLIMIT_STACK"));

  /**
   * Docker's {@code --ulimit NAME=SOFT[:HARD]} (go-units ParseUlimit: the hard limit defaults to
   * the soft one, soft must not exceed hard, -1 is unlimited).
   *
   * @throws IllegalArgumentException with Docker's message for a bad value
   */
  public static Rlimit parse(String spec) {
    int eq = spec.indexOf('=');
    if (eq < 0) {
      throw new IllegalArgumentException("invalid ulimit argument: " + spec);
    }
    String name = spec.substring(0, eq);
    String type = NAMES.get(name.toLowerCase(Locale.ROOT));
    if (type == null) {
      throw new IllegalArgumentException("invalid ulimit type: " + name);
    }
    String[] values = spec.substring(eq + 1).split(":", -1);
    if (values.length > 2) {
      throw new IllegalArgumentException(
          "too many limit value arguments - "
              + spec.substring(eq + 1)
              + ", can only have up to two, `soft[:hard]`");
    }
    long soft = number(values[0]);
    long hard = values.length == 2 ? number(values[1]) : soft;
    if (hard != -1 && (soft == -1 || soft > hard)) {
      throw new IllegalArgumentException(
          "ulimit soft limit must be less than or equal to hard limit: "
              + (soft == -1 ? "unlimited" : soft)
              + " > "
              + hard);
    }
    return new Rlimit(type, soft, hard);
  }

  private static long number(String s) {
    try {
      long v = Long.parseLong(s);
      if (v < -1) {
        throw new IllegalArgumentException("invalid ulimit value: " + s);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid ulimit value: " + s);
    }
  }

  /** The value as the runtime spec writes it (an unsigned 64-bit number; -1 = RLIM_INFINITY). */
  public static String specValue(long v) {
    return Long.toUnsignedString(v);
  }

  /** The limits of {@code list} with {@code other} added where {@code list} has no such type. */
  public static List<Rlimit> withDefault(List<Rlimit> list, Rlimit other) {
    for (Rlimit r : list) {
      if (r.type().equals(other.type())) {
        return list;
      }
    }
    return java.util.stream.Stream.concat(list.stream(), java.util.stream.Stream.of(other))
        .toList();
  }
}
