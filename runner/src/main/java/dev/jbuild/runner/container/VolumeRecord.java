package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * A volume, as {@code jbuild volume inspect} shows it; kept in {@code volume.json} next to its
 * {@code _data} directory under {@code <store>/volumes/<name>/}.
 *
 * @param anonymous made for an image's VOLUME or a {@code -v /path} (a 64-hex name), removed with
 *     its container by {@code rm -v} and {@code run --rm}
 * @param mountpoint the {@code _data} directory on the host
 * @param removeWith the {@code --rm} container whose anonymous volume this is (null: none): the
 *     volume goes when that container's directory is gone, whoever removed it
 */
public record VolumeRecord(
    String name,
    Instant created,
    Map<String, String> labels,
    boolean anonymous,
    Path mountpoint,
    String removeWith) {
  public VolumeRecord {
    labels = Map.copyOf(labels);
  }

  /** Docker's {@code volume inspect} shape. */
  public JsonObject inspect() {
    return JsonObject.builder()
        .put("CreatedAt", created.toString())
        .put("Driver", "local")
        .put("Labels", labels.isEmpty() ? Json.ofStringMap(Map.of()) : sorted())
        .put("Mountpoint", mountpoint.toString())
        .put("Name", name)
        .put("Options", JsonObject.EMPTY)
        .put("Scope", "local")
        .build();
  }

  private Json sorted() {
    return Json.ofStringMap(new TreeMap<>(labels));
  }

  JsonObject toJson() {
    return JsonObject.builder()
        .put("name", name)
        .put("created", created.toString())
        .put("labels", sorted())
        .put("anonymous", anonymous)
        .putIfNotNull("removeWith", removeWith)
        .build();
  }

  static VolumeRecord fromJson(JsonObject o, Path mountpoint) {
    JsonObject labels = o.object("labels");
    return new VolumeRecord(
        o.string("name"),
        Instant.parse(o.string("created")),
        labels == null ? Map.of() : o.stringMap("labels"),
        Boolean.TRUE.equals(o.bool("anonymous")),
        mountpoint,
        o.string("removeWith", null));
  }
}
