package dev.jbuild.layercache.model;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON and media-type helpers shared by manifests and indexes. */
final class Descriptors {
  private Descriptors() {}

  static List<Descriptor> list(JsonObject o, String member) {
    JsonArray a = o.array(member);
    if (a == null) {
      return null;
    }
    List<Descriptor> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      if (!(a.get(i) instanceof JsonObject d)) {
        throw new IllegalArgumentException(member + "[" + i + "] must be an object");
      }
      try {
        out.add(Descriptor.fromJson(d));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(member + "[" + i + "]: " + e.getMessage(), e);
      }
    }
    return out;
  }

  static Descriptor one(JsonObject o, String member) {
    JsonObject d = o.object(member);
    if (d == null) {
      return null;
    }
    try {
      return Descriptor.fromJson(d);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(member + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@code d} with its media type in the OCI family ({@code oci}) or Docker's; others unchanged.
   */
  static Descriptor inFamily(Descriptor d, boolean oci) {
    return d.withMediaType(
        oci ? MediaTypes.toOci(d.mediaType()) : MediaTypes.toDocker(d.mediaType()));
  }

  /** Each of {@code list} {@link #inFamily in the family}, in order. */
  static List<Descriptor> inFamily(List<Descriptor> list, boolean oci) {
    List<Descriptor> out = new ArrayList<>(list.size());
    for (Descriptor d : list) {
      out.add(inFamily(d, oci));
    }
    return out;
  }

  /** An unmodifiable copy of {@code annotations} that keeps their order; null stays null. */
  static Map<String, String> copyOf(Map<String, String> annotations) {
    return annotations == null
        ? null
        : Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
  }

  /** {@code annotations} (null for none) with {@code key} set to {@code value}, others in order. */
  static Map<String, String> with(Map<String, String> annotations, String key, String value) {
    Map<String, String> copy =
        annotations == null ? new LinkedHashMap<>() : new LinkedHashMap<>(annotations);
    copy.put(key, value);
    return copy;
  }

  /**
   * A manifest's or an index's JSON up to its own members: schemaVersion, mediaType, artifactType.
   */
  static JsonObject.Builder startJson(int schemaVersion, String mediaType, String artifactType) {
    JsonObject.Builder b = JsonObject.builder().put("schemaVersion", schemaVersion);
    b.putIfNotNull("mediaType", mediaType);
    b.putIfNotNull("artifactType", artifactType);
    return b;
  }

  /** Ends a manifest's or an index's JSON: subject, annotations, then the unknown members kept. */
  static JsonObject endJson(
      JsonObject.Builder b, Descriptor subject, Map<String, String> annotations, JsonObject extra) {
    if (subject != null) {
      b.put("subject", subject.toJson());
    }
    if (annotations != null) {
      b.put("annotations", Json.ofStringMap(annotations));
    }
    return b.putAllAbsent(extra).build();
  }

  static JsonArray toJson(List<Descriptor> list) {
    return new JsonArray(list.stream().<Json>map(Descriptor::toJson).toList());
  }

  static int schemaVersion(JsonObject o, String what) {
    Long v = o.longValue("schemaVersion");
    if (v == null) {
      throw new IllegalArgumentException(what + " has no schemaVersion");
    }
    if (v == 1) {
      throw new IllegalArgumentException(
          what
              + " uses Docker schema 1, which is not supported (re-push it with a current client)");
    }
    if (v != 2) {
      throw new IllegalArgumentException(what + " has unsupported schemaVersion " + v);
    }
    return 2;
  }
}
