package dev.jbuild.cli;

import dev.jbuild.runner.RunMount;
import dev.jbuild.runner.container.VolumeMount;
import dev.jbuild.runner.container.Volumes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code run -v} and {@code --mount}, as Docker reads them: binds and tmpfs mounts become {@link
 * RunMount}s, volumes {@link VolumeMount}s.
 */
final class RunMounts {
  private RunMounts() {}

  /**
   * {@code -v SRC:/ctr[:OPTS]} (SRC absolute: a bind, created when missing; else a volume name),
   * {@code -v /ctr} (an anonymous volume); OPTS: ro, rw, nocopy (comma separated).
   */
  static void volume(String v, List<RunMount> binds, List<VolumeMount> volumes) throws IOException {
    String[] f = v.split(":", -1);
    if (f.length == 1) {
      volumes.add(new VolumeMount(null, target(v, f[0]), false, false));
      return;
    }
    if (f.length > 3 || f[0].isEmpty() || f[1].isEmpty()) {
      throw usage(v, "use HOST:CTR[:ro], NAME:CTR[:ro] or CTR");
    }
    boolean ro = false;
    boolean nocopy = false;
    if (f.length == 3) {
      for (String o : f[2].split(",")) {
        switch (o) {
          case "ro" -> ro = true;
          case "rw" -> ro = false;
          case "nocopy" -> nocopy = true;
          case "z", "Z", "rprivate", "private", "rslave", "slave", "rshared", "shared", "" -> {}
          default -> throw usage(v, "unknown option \"" + o + "\" (ro, rw, nocopy)");
        }
      }
    }
    String ctr = target(v, f[1]);
    if (f[0].startsWith("/")) {
      Path host = Path.of(f[0]);
      if (!Files.exists(host)) {
        Files.createDirectories(host);
      }
      binds.add(new RunMount.Bind(host, ctr, ro));
    } else if (Volumes.validName(f[0])) {
      volumes.add(new VolumeMount(f[0], ctr, ro, nocopy));
    } else {
      throw usage(
          v,
          "\""
              + f[0]
              + "\" is neither an absolute host path nor a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]+)");
    }
  }

  /**
   * {@code --tmpfs CTR[:OPTIONS]} (and the API's HostConfig.Tmpfs): a tmpfs at CTR, options {@code
   * size=}, {@code mode=} and {@code rw}; any other option is refused.
   */
  static void tmpfs(
      String target, String options, List<RunMount> binds, List<VolumeMount> volumes) {
    StringBuilder spec = new StringBuilder("type=tmpfs,target=" + target);
    for (String o : options.split(",")) {
      if (o.startsWith("size=")) {
        spec.append(",tmpfs-size=").append(o.substring(5));
      } else if (o.startsWith("mode=")) {
        spec.append(",tmpfs-mode=").append(o.substring(5));
      } else if (!o.isEmpty() && !o.equals("rw")) {
        throw new UserException(
            ExitCodes.USAGE,
            "invalid tmpfs " + target + ": option \"" + o + "\" (jbuild: size=, mode=, rw)");
      }
    }
    mount(spec.toString(), binds, volumes);
  }

  /**
   * {@code --mount type=bind|volume|tmpfs,source=,target=,readonly,volume-nocopy,tmpfs-size=,
   * tmpfs-mode=}.
   */
  static void mount(String spec, List<RunMount> binds, List<VolumeMount> volumes) {
    String type = "volume";
    String source = null;
    String target = null;
    boolean ro = false;
    boolean nocopy = false;
    long size = 0;
    int mode = 01777;
    for (String field : spec.split(",")) {
      int eq = field.indexOf('=');
      String k = (eq < 0 ? field : field.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
      String val = eq < 0 ? null : field.substring(eq + 1);
      switch (k) {
        case "type" -> type = val;
        case "source", "src" -> source = val;
        case "target", "destination", "dst" -> target = val;
        case "readonly", "ro" -> ro = val == null || bool(spec, val);
        case "volume-nocopy" -> nocopy = val == null || bool(spec, val);
        case "tmpfs-size" -> size = bytes(spec, val);
        case "tmpfs-mode" -> {
          try {
            mode = Integer.parseInt(val, 8);
          } catch (NumberFormatException | NullPointerException e) {
            throw usage(spec, "tmpfs-mode must be octal");
          }
        }
        case "bind-propagation", "consistency", "bind-nonrecursive", "volume-driver" -> {}
        case "" -> {}
        default -> throw usage(spec, "unknown key \"" + k + "\"");
      }
    }
    if (target == null || target.isEmpty()) {
      throw usage(spec, "target is required");
    }
    String ctr = target(spec, target);
    switch (type == null ? "" : type) {
      case "bind" -> {
        if (source == null || !source.startsWith("/")) {
          throw usage(spec, "a bind mount needs an absolute source");
        }
        if (!Files.exists(Path.of(source))) {
          throw usage(spec, "bind source path does not exist: " + source);
        }
        binds.add(new RunMount.Bind(Path.of(source), ctr, ro));
      }
      case "volume" -> {
        if (source != null && !source.isEmpty() && !Volumes.validName(source)) {
          throw usage(spec, "invalid volume name \"" + source + "\"");
        }
        volumes.add(
            new VolumeMount(source == null || source.isEmpty() ? null : source, ctr, ro, nocopy));
      }
      case "tmpfs" -> {
        if (source != null) {
          throw usage(spec, "a tmpfs mount takes no source");
        }
        binds.add(new RunMount.Tmpfs(ctr, size, mode));
      }
      default -> throw usage(spec, "type must be bind, volume or tmpfs");
    }
  }

  private static String target(String spec, String t) {
    if (!t.startsWith("/")) {
      throw usage(spec, "the container path must be absolute");
    }
    return t;
  }

  private static boolean bool(String spec, String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw usage(spec, "\"" + v + "\" is not a boolean");
    };
  }

  /** {@code 64m}, {@code 1g}, {@code 4096}: bytes. */
  static long bytes(String spec, String v) {
    if (v == null || v.isEmpty()) {
      throw usage(spec, "tmpfs-size needs a value");
    }
    String s = v.toLowerCase(Locale.ROOT);
    long mult = 1;
    char last = s.charAt(s.length() - 1);
    if (last == 'b') {
      s = s.substring(0, s.length() - 1);
      last = s.isEmpty() ? '0' : s.charAt(s.length() - 1);
    }
    switch (last) {
      case 'k' -> mult = 1L << 10;
      case 'm' -> mult = 1L << 20;
      case 'g' -> mult = 1L << 30;
      default -> {}
    }
    if (mult > 1) {
      s = s.substring(0, s.length() - 1);
    }
    try {
      long n = Long.parseLong(s);
      if (n < 0 || n > Long.MAX_VALUE / mult) {
        throw usage(spec, "tmpfs-size out of range");
      }
      return n * mult;
    } catch (NumberFormatException e) {
      throw usage(spec, "invalid tmpfs-size \"" + v + "\"");
    }
  }

  private static UserException usage(String spec, String why) {
    return new UserException(ExitCodes.USAGE, "invalid mount \"" + spec + "\": " + why);
  }
}
