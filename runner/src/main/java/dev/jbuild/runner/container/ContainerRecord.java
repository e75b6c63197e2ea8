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
 * @param stopSignal {@code --stop-signal}, else the image's StopSignal (default SIGTERM)
 * @param stopTimeout {@code --stop-timeout}: seconds {@code stop} waits before SIGKILL when it is
 *     not told (null: Docker's 10; negative: for ever)
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
    String stopSignal,
    Integer stopTimeout) {
  /** Docker's grace period when neither {@code stop -t} nor {@code --stop-timeout} gives one. */
  public static final int DEFAULT_STOP_TIMEOUT = 10;

  public ContainerRecord {
    layers = List.copyOf(layers);
    command = List.copyOf(command);
    stopSignal = stopSignal == null || stopSignal.isEmpty() ? "SIGTERM" : stopSignal;
  }

  /** Without a {@code --stop-timeout}. */
  public ContainerRecord(
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
    this(
        id,
        name,
        image,
        manifest,
        layers,
        command,
        created,
        autoRemove,
        detached,
        stopSignal,
        null);
  }

  /** How long {@code stop} waits before SIGKILL when not told: --stop-timeout, else 10 s. */
  public java.time.Duration stopGrace() {
    int s = stopTimeout == null ? DEFAULT_STOP_TIMEOUT : stopTimeout;
    return s < 0 ? java.time.Duration.ofDays(365) : java.time.Duration.ofSeconds(s);
  }

  /** The same record under another name. */
  ContainerRecord withName(String newName) {
    return new ContainerRecord(
        id,
        newName,
        image,
        manifest,
        layers,
        command,
        created,
        autoRemove,
        detached,
        stopSignal,
        stopTimeout);
  }

  public String shortId() {
    return id.substring(0, 12);
  }

  JsonObject toJson() {
    JsonObject.Builder b =
        JsonObject.builder()
            .put("id", id)
            .put("name", name)
            .put("image", image)
            .put("manifest", manifest.toString())
            .put("layers", Json.ofStrings(layers.stream().map(Digest::toString).toList()))
            .put("command", Json.ofStrings(command))
            .put("created", created.toString())
            .put("autoRemove", autoRemove)
            .put("detached", detached)
            .put("stopSignal", stopSignal);
    if (stopTimeout != null) {
      b.put("stopTimeout", stopTimeout);
    }
    return b.build();
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
        o.string("stopSignal"),
        o.longValue("stopTimeout") == null ? null : o.longValue("stopTimeout").intValue());
  }
}
