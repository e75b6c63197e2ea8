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
}
