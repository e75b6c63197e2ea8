package dev.jbuild.layercache.model;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * An image config (OCI {@code application/vnd.oci.image.config.v1+json}, Docker's {@code
 * container.image.v1+json}): created, author, architecture, os, variant, os.version, config,
 * rootfs, history.
 *
 * <p>Backed by its JSON object, so a config read and written again keeps unknown members (Docker's
 * {@code container_config}, {@code docker_version}, ...), key order, number text and the difference
 * between absent, null and empty. The compact constructor validates every known member. All {@code
 * with...} methods return a new config; the container-config shortcuts ({@link #withEnv(String,
 * String)}, ...) edit the {@code config} member.
 */
public record ImageConfig(JsonObject json) {

  public ImageConfig {
    Objects.requireNonNull(json, "json");
    Timestamps.parse(json.string("created"));
    json.string("author");
    json.string("architecture");
    json.string("os");
    json.string("variant");
    json.string("os.version");
    json.strings("os.features");
    JsonObject config = json.object("config");
    if (config != null) {
      new ContainerConfig(config);
    }
    JsonObject rootfs = json.object("rootfs");
    if (rootfs != null) {
      RootFs.fromJson(rootfs);
    }
    JsonArray history = json.array("history");
    if (history != null) {
      parseHistory(history);
    }
  }

  /** Parses a config blob; errors name the member or the JSON position. */
  public static ImageConfig parse(byte[] bytes) {
    return new ImageConfig(Json.parseObject(bytes));
  }

  /**
   * A new, empty config for a platform ({@code FROM scratch}): architecture, os, variant, an empty
   * {@code config}, rootfs with no layers and an empty history.
   */
  public static ImageConfig empty(Platform platform) {
    JsonObject.Builder b =
        JsonObject.builder().put("architecture", platform.architecture()).put("os", platform.os());
    b.putIfNotNull("variant", platform.variant());
    b.putIfNotNull("os.version", platform.osVersion());
    b.put("config", JsonObject.EMPTY);
    b.put("rootfs", RootFs.of(List.of()).toJson());
    b.put("history", JsonArray.EMPTY);
    return new ImageConfig(b.build());
  }

  public String created() {
    return json.string("created");
  }

  public Instant createdInstant() {
    return Timestamps.parse(created());
  }

  public String author() {
    return json.string("author");
  }

  public String architecture() {
    return json.string("architecture");
  }

  public String os() {
    return json.string("os");
  }

  public String variant() {
    return json.string("variant");
  }

  public String osVersion() {
    return json.string("os.version");
  }

  public List<String> osFeatures() {
    return json.strings("os.features");
  }

  /** The platform, or null when os or architecture is missing. */
  public Platform platform() {
    if (os() == null || architecture() == null) {
      return null;
    }
    return new Platform(os(), architecture(), variant(), osVersion(), osFeatures(), null);
  }

  /** The {@code config} member, or null when absent. */
  public ContainerConfig config() {
    JsonObject o = json.object("config");
    return o == null ? null : new ContainerConfig(o);
  }

  /** The {@code config} member, or an empty one. */
  public ContainerConfig configOrEmpty() {
    ContainerConfig c = config();
    return c == null ? ContainerConfig.EMPTY : c;
  }

  /** The rootfs (an empty "layers" rootfs when absent). */
  public RootFs rootfs() {
    JsonObject o = json.object("rootfs");
    return o == null ? RootFs.of(List.of()) : RootFs.fromJson(o);
  }

  public List<Digest> diffIds() {
    return rootfs().diffIds();
  }

  /** History entries, or null when absent. */
  public List<History> history() {
    JsonArray a = json.array("history");
    return a == null ? null : parseHistory(a);
  }

  /** History entries, or an empty list. */
  public List<History> historyOrEmpty() {
    List<History> h = history();
    return h == null ? List.of() : h;
  }

  public byte[] toBytes() {
    return json.toBytes();
  }

  // ---- with... -------------------------------------------------------------------------------

  public ImageConfig with(String member, Json value) {
    return new ImageConfig(json.with(member, value));
  }

  public ImageConfig withCreated(Instant created) {
    return with("created", Json.ofNullable(created == null ? null : Timestamps.format(created)));
  }

  public ImageConfig withAuthor(String author) {
    return with("author", Json.ofNullable(author));
  }

  public ImageConfig withPlatform(Platform platform) {
    JsonObject o = json.with("architecture", platform.architecture()).with("os", platform.os());
    o = platform.variant() == null ? o.without("variant") : o.with("variant", platform.variant());
    return new ImageConfig(o);
  }

  public ImageConfig withConfig(ContainerConfig config) {
    return with("config", config.json());
  }

  /** Edits the {@code config} member (created when absent). */
  public ImageConfig withConfig(UnaryOperator<ContainerConfig> edit) {
    return withConfig(edit.apply(configOrEmpty()));
  }

  public ImageConfig withRootFs(RootFs rootfs) {
    return with("rootfs", rootfs.toJson());
  }

  public ImageConfig withHistory(List<History> history) {
    return with(
        "history",
        history == null
            ? dev.jbuild.layercache.json.JsonNull.INSTANCE
            : new JsonArray(history.stream().<Json>map(History::toJson).toList()));
  }

  /** Appends a history entry. */
  public ImageConfig withAddedHistory(History entry) {
    List<History> h = new ArrayList<>(historyOrEmpty());
    h.add(entry);
    return withHistory(h);
  }

  /** Appends a layer's diff ID to rootfs.diff_ids. */
  public ImageConfig withAddedDiffId(Digest diffId) {
    return withRootFs(rootfs().withAddedDiffId(diffId));
  }

  /** Appends a layer and its history entry (whose empty_layer is left unset). */
  public ImageConfig withAddedLayer(Digest diffId, History entry) {
    return withAddedDiffId(diffId).withAddedHistory(entry);
  }

  public ImageConfig withEnv(String name, String value) {
    return withConfig(c -> c.withEnv(name, value));
  }

  public ImageConfig withEntrypoint(List<String> entrypoint) {
    return withConfig(c -> c.withEntrypoint(entrypoint));
  }

  public ImageConfig withCmd(List<String> cmd) {
    return withConfig(c -> c.withCmd(cmd));
  }

  public ImageConfig withWorkingDir(String dir) {
    return withConfig(c -> c.withWorkingDir(dir));
  }

  public ImageConfig withUser(String user) {
    return withConfig(c -> c.withUser(user));
  }

  public ImageConfig withLabel(String key, String value) {
    return withConfig(c -> c.withLabel(key, value));
  }

  public ImageConfig withExposedPort(String port) {
    return withConfig(c -> c.withExposedPort(port));
  }

  public ImageConfig withVolume(String path) {
    return withConfig(c -> c.withVolume(path));
  }

  public ImageConfig withStopSignal(String signal) {
    return withConfig(c -> c.withStopSignal(signal));
  }

  public ImageConfig withHealthcheck(HealthConfig healthcheck) {
    return withConfig(c -> c.withHealthcheck(healthcheck));
  }

  public ImageConfig withShell(List<String> shell) {
    return withConfig(c -> c.withShell(shell));
  }

  public ImageConfig withOnBuild(List<String> onBuild) {
    return withConfig(c -> c.withOnBuild(onBuild));
  }

  public ImageConfig withArgsEscaped(Boolean escaped) {
    return withConfig(c -> c.withArgsEscaped(escaped));
  }

  private static List<History> parseHistory(JsonArray a) {
    List<History> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      if (!(a.get(i) instanceof JsonObject o)) {
        throw new IllegalArgumentException("history[" + i + "] must be an object");
      }
      try {
        out.add(History.fromJson(o));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("history[" + i + "]: " + e.getMessage(), e);
      }
    }
    return List.copyOf(out);
  }
}
