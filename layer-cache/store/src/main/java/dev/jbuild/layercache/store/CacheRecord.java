package dev.jbuild.layercache.store;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.History;
import dev.jbuild.layercache.model.Timestamps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The result of a build step, stored under its cache key: the layers it produced (blob descriptor
 * and diff ID each; none for metadata steps), the config change (the members the step set, as
 * JSON), the history entry, when it was created, and a free-form {@code why} map the builder uses
 * to explain misses (e.g. the inputs that made up the key).
 */
public record CacheRecord(
    List<Layer> layers,
    JsonObject configChange,
    History history,
    Instant created,
    Map<String, String> why) {

  /** A layer of a cache record. */
  public record Layer(Descriptor blob, Digest diffId) {
    public Layer {
      Objects.requireNonNull(blob, "blob");
      Objects.requireNonNull(diffId, "diffId");
    }
  }

  public CacheRecord {
    layers = layers == null ? List.of() : List.copyOf(layers);
    configChange = configChange == null ? JsonObject.EMPTY : configChange;
    Objects.requireNonNull(created, "created");
    why = why == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(why));
  }

  /**
   * The {@code why} entry holding the digest of the layers the step read when it made this record
   * (the builder's check on a hit: a key re-made with other content must not reuse a record of the
   * old content).
   */
  public static final String READS = "reads";

  /**
   * This record without its {@link #READS} check: what a cache import stores, since the importing
   * machine may re-make the layers the step read with the same files but other diff IDs (a builder
   * stage re-run under {@code mode=min}), and BuildKit matches such records by content.
   */
  public CacheRecord withoutReads() {
    if (!why.containsKey(READS)) {
      return this;
    }
    Map<String, String> w = new LinkedHashMap<>(why);
    w.remove(READS);
    return new CacheRecord(layers, configChange, history, created, w);
  }

  public JsonObject toJson() {
    List<Json> ls = new ArrayList<>();
    for (Layer l : layers) {
      ls.add(
          JsonObject.builder()
              .put("blob", l.blob().toJson())
              .put("diffId", l.diffId().toString())
              .build());
    }
    JsonObject.Builder b =
        JsonObject.builder()
            .put("created", Timestamps.format(created))
            .put("layers", new JsonArray(ls))
            .put("config", configChange);
    if (history != null) {
      b.put("history", history.toJson());
    }
    b.put("why", Json.ofStringMap(why));
    return b.build();
  }

  public static CacheRecord fromJson(JsonObject o) {
    List<Layer> layers = new ArrayList<>();
    JsonArray ls = o.array("layers");
    if (ls != null) {
      for (int i = 0; i < ls.size(); i++) {
        if (!(ls.get(i) instanceof JsonObject l)) {
          throw new IllegalArgumentException("layers[" + i + "] must be an object");
        }
        JsonObject blob = l.object("blob");
        String diffId = l.string("diffId");
        if (blob == null || diffId == null) {
          throw new IllegalArgumentException("layers[" + i + "] needs blob and diffId");
        }
        layers.add(new Layer(Descriptor.fromJson(blob), Digest.parse(diffId)));
      }
    }
    JsonObject h = o.object("history");
    Instant created = Timestamps.parse(o.string("created"));
    if (created == null) {
      throw new IllegalArgumentException("cache record has no created time");
    }
    return new CacheRecord(
        layers,
        o.object("config"),
        h == null ? null : History.fromJson(h),
        created,
        o.stringMap("why"));
  }
}
