package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Digest;
import java.time.Instant;
import java.util.List;

/**
 * What {@code jbuild ps} shows about a container, kept in {@code container.json} in its directory.
 *
 * @param image the image as the user named it
 * @param manifest the image's manifest digest (pinned in gcroots while the container exists)
 * @param layers the image's diff IDs, base first
 * @param command the container's argv
 * @param autoRemove {@code --rm}: the container is deleted when it exits
 * @param stopSignal the image's StopSignal (default SIGTERM)
 */
public record ContainerRecord(
    String id,
    String name,
    String image,
    Digest manifest,
    List<Digest> layers,
    List<String> command,
    Instant created,
    boolean autoRemove,
    boolean detached,
    String stopSignal) {
  public ContainerRecord {
    layers = List.copyOf(layers);
    command = List.copyOf(command);
    stopSignal = stopSignal == null || stopSignal.isEmpty() ? "SIGTERM" : stopSignal;
  }

  public String shortId() {
    return id.substring(0, 12);
  }

  JsonObject toJson() {
    return JsonObject.builder()
        .put("id", id)
        .put("name", name)
        .put("image", image)
        .put("manifest", manifest.toString())
        .put("layers", Json.ofStrings(layers.stream().map(Digest::toString).toList()))
        .put("command", Json.ofStrings(command))
        .put("created", created.toString())
        .put("autoRemove", autoRemove)
        .put("detached", detached)
        .put("stopSignal", stopSignal)
        .build();
  }

  static ContainerRecord fromJson(JsonObject o) {
    return new ContainerRecord(
        o.string("id"),
        o.string("name"),
        o.string("image"),
        Digest.parse(o.string("manifest")),
        o.strings("layers").stream().map(Digest::parse).toList(),
        o.strings("command"),
        Instant.parse(o.string("created")),
        Boolean.TRUE.equals(o.bool("autoRemove")),
        Boolean.TRUE.equals(o.bool("detached")),
        o.string("stopSignal"));
  }
}
