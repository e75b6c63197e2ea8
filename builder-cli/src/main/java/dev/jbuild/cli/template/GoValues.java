package dev.jbuild.cli.template;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonBool;
import dev.jbuild.layercache.json.JsonNull;
import dev.jbuild.layercache.json.JsonNumber;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonString;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Values as Go's text/template sees docker's typed inspect structures: which fields are lists,
 * maps, strings, flags or pointers (so an absent one prints as its zero value), truth, and {@code
 * %v} formatting.
 */
final class GoValues {
  private GoValues() {}

  /** A key the document does not have (how it prints depends on the field's Go type). */
  record Missing(String field) {}

  static JsonBool bool(boolean b) {
    return b ? JsonBool.TRUE : JsonBool.FALSE;
  }

  private static final Set<String> LIST_FIELDS =
      Set.of(
          "Cmd",
          "Entrypoint",
          "Env",
          "Shell",
          "OnBuild",
          "RepoTags",
          "RepoDigests",
          "Layers",
          "Test");
  private static final Set<String> MAP_FIELDS = Set.of("Labels", "ExposedPorts", "Volumes");
  private static final Set<String> STRING_FIELDS =
      Set.of(
          "User",
          "WorkingDir",
          "StopSignal",
          "Hostname",
          "Domainname",
          "Image",
          "Author",
          "Comment",
          "Parent",
          "Architecture",
          "Os",
          "Variant",
          "OsVersion",
          "Created",
          "Id",
          "MacAddress",
          "Container",
          "DockerVersion");
  private static final Set<String> BOOL_FIELDS =
      Set.of(
          "ArgsEscaped",
          "AttachStdin",
          "AttachStdout",
          "AttachStderr",
          "Tty",
          "OpenStdin",
          "StdinOnce",
          "NetworkDisabled");
  private static final Set<String> POINTER_FIELDS =
      Set.of("Healthcheck", "StopTimeout", "ContainerConfig", "GraphDriver");

  static boolean isKnown(String field) {
    return LIST_FIELDS.contains(field)
        || MAP_FIELDS.contains(field)
        || STRING_FIELDS.contains(field)
        || BOOL_FIELDS.contains(field)
        || POINTER_FIELDS.contains(field);
  }

  static boolean truth(Object v) {
    return switch (v) {
      case Missing m -> false;
      case JsonNull n -> false;
      case JsonBool b -> b.value();
      case JsonString s -> !s.value().isEmpty();
      case JsonNumber n -> n.doubleValue() != 0;
      case JsonArray a -> !a.elements().isEmpty();
      case JsonObject o -> !o.members().isEmpty();
      default -> true;
    };
  }

  /** Go's %v of the value; {@code top} is false for the elements of a list or map. */
  static String format(Object v, boolean top) {
    return switch (v) {
      case Missing m -> {
        String f = m.field();
        yield LIST_FIELDS.contains(f)
            ? "[]"
            : MAP_FIELDS.contains(f)
                ? "map[]"
                : STRING_FIELDS.contains(f)
                    ? ""
                    : BOOL_FIELDS.contains(f)
                        ? "false"
                        : POINTER_FIELDS.contains(f) ? "<nil>" : "<no value>";
      }
      case JsonNull n -> "<nil>";
      case JsonString s -> s.value();
      case JsonNumber n -> n.toString();
      case JsonBool b -> String.valueOf(b.value());
      case JsonArray a -> {
        List<String> parts = new ArrayList<>();
        for (Json e : a.elements()) {
          parts.add(format(e, false));
        }
        yield "[" + String.join(" ", parts) + "]";
      }
      case JsonObject o when isHealthConfig(o) -> healthConfig(o);
      case JsonObject o -> {
        if (o.members().isEmpty() && !top) {
          yield "{}";
        }
        List<String> parts = new ArrayList<>();
        new TreeMap<>(o.members()).forEach((k, e) -> parts.add(k + ":" + format(e, false)));
        yield "map[" + String.join(" ", parts) + "]";
      }
      default -> v.toString();
    };
  }

  private static final List<String> HEALTH_DURATIONS =
      List.of("Interval", "Timeout", "StartPeriod", "StartInterval");

  /**
   * Whether {@code o} is docker's HealthcheckConfig (a Test list and only its members): Go prints
   * that struct, not a map.
   */
  private static boolean isHealthConfig(JsonObject o) {
    if (!(o.get("Test") instanceof JsonArray)) {
      return false;
    }
    for (String k : o.members().keySet()) {
      if (!k.equals("Test") && !k.equals("Retries") && !HEALTH_DURATIONS.contains(k)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Go's %v of docker's HealthcheckConfig struct: {@code {[CMD-SHELL curl x] 30s 5s 0s 0s 3}}
   * (Test, Interval, Timeout, StartPeriod, StartInterval as time.Duration strings, Retries).
   */
  private static String healthConfig(JsonObject o) {
    List<String> parts = new ArrayList<>();
    parts.add(format(o.get("Test"), false));
    for (String d : HEALTH_DURATIONS) {
      parts.add(goDuration(o.get(d) instanceof JsonNumber n ? n.longValue() : 0));
    }
    parts.add(o.get("Retries") instanceof JsonNumber n ? Long.toString(n.longValue()) : "0");
    return "{" + String.join(" ", parts) + "}";
  }

  /** Go's time.Duration.String of {@code ns} nanoseconds: 0s, 500ms, 1.5s, 1m30s, 1h0m0s. */
  static String goDuration(long ns) {
    if (ns == 0) {
      return "0s";
    }
    String sign = ns < 0 ? "-" : "";
    // Long.MIN_VALUE has no positive counterpart: treat its magnitude as unsigned
    long u = ns < 0 ? -ns : ns;
    if (Long.compareUnsigned(u, 1_000_000_000L) < 0) {
      if (u < 1_000) {
        return sign + u + "ns";
      }
      if (u < 1_000_000) {
        return sign + decimal(u, 3) + "\u00b5s";
      }
      return sign + decimal(u, 6) + "ms";
    }
    long secs = Long.divideUnsigned(u, 1_000_000_000L);
    long frac = Long.remainderUnsigned(u, 1_000_000_000L);
    long h = secs / 3600;
    long m = (secs / 60) % 60;
    long s = secs % 60;
    StringBuilder b = new StringBuilder(sign);
    if (h > 0) {
      b.append(h).append('h');
    }
    if (h > 0 || m > 0) {
      b.append(m).append('m');
    }
    b.append(s);
    if (frac != 0) {
      String f = String.format("%09d", frac).replaceAll("0+$", "");
      b.append('.').append(f);
    }
    return b.append('s').toString();
  }

  private static String decimal(long v, int digits) {
    long scale = (long) Math.pow(10, digits);
    long whole = v / scale;
    long frac = v % scale;
    if (frac == 0) {
      return Long.toString(whole);
    }
    String f = String.format("%0" + digits + "d", frac).replaceAll("0+$", "");
    return whole + "." + f;
  }
}
