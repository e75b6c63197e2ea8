package dev.jbuild.cli;

import dev.jbuild.runner.ExtraHost;
import dev.jbuild.runner.Rlimit;
import dev.jbuild.runner.RunSettings;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code build --add-host}, {@code --ulimit}, {@code --shm-size} and {@code --no-cache-filter}. */
final class RunSettingsSpecs {
  /** go-units RAMInBytes: a number, an optional unit of 1024s (k, m, g, t, p), optional i and b. */
  private static final Pattern SIZE =
      Pattern.compile("^(\\d+(?:\\.\\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$");

  private RunSettingsSpecs() {}

  static RunSettings parse(
      boolean insecure, List<String> addHosts, List<String> ulimits, String shmSize) {
    List<ExtraHost> hosts = new ArrayList<>();
    for (String h : addHosts) {
      try {
        hosts.add(ExtraHost.parse(h));
      } catch (IllegalArgumentException e) {
        throw new UserException(ExitCodes.USAGE, "invalid --add-host: " + e.getMessage());
      }
    }
    List<Rlimit> limits = new ArrayList<>();
    for (String u : ulimits) {
      Rlimit r;
      try {
        r = Rlimit.parse(u);
      } catch (IllegalArgumentException e) {
        throw new UserException(ExitCodes.USAGE, "invalid --ulimit: " + e.getMessage());
      }
      // the last one of a type wins, as docker's ulimit option keeps one per name
      limits.removeIf(l -> l.type().equals(r.type()));
      limits.add(r);
    }
    long shm = shmSize == null ? 0 : size(shmSize);
    return new RunSettings(insecure, hosts, limits, shm);
  }

  /** Docker's --shm-size: bytes, or k/m/g/t/p in 1024s; must be more than 0. */
  static long size(String s) {
    Matcher m = SIZE.matcher(s.strip());
    if (!m.matches()) {
      throw new UserException(ExitCodes.USAGE, "invalid --shm-size: invalid size: '" + s + "'");
    }
    double n = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
    double mult =
        switch (unit) {
          case "k" -> 1L << 10;
          case "m" -> 1L << 20;
          case "g" -> 1L << 30;
          case "t" -> 1L << 40;
          case "p" -> 1L << 50;
          default -> 1;
        };
    double bytes = n * mult;
    if (bytes <= 0 || bytes >= Long.MAX_VALUE) {
      throw new UserException(
          ExitCodes.USAGE, "invalid --shm-size: the size must be more than 0: '" + s + "'");
    }
    return (long) bytes;
  }

  /** The stage names of --no-cache-filter values (comma lists), lower case. */
  static Set<String> stages(List<String> values) {
    Set<String> out = new LinkedHashSet<>();
    for (String v : values) {
      for (String name : v.split(",")) {
        String n = name.strip();
        if (!n.isEmpty()) {
          out.add(n.toLowerCase(Locale.ROOT));
        }
      }
    }
    return out;
  }
}
