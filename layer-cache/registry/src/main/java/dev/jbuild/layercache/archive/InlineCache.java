package dev.jbuild.layercache.archive;

import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.store.CacheRecord;
import java.util.Map;

/**
 * The inline cache ({@code --cache-to type=inline}): the records of the final stage's steps written
 * into the image's own config under {@link #CONFIG_KEY}, so pushing the image carries its cache and
 * {@code --cache-from REF} of that image imports it (as BuildKit's {@code moby.buildkit.cache.v0}).
 * A record's layers are the image's layers, matched by diffId through {@code rootfs.diff_ids}; the
 * import downloads only the layers the records name. The format is in the registry README.
 */
public final class InlineCache {
  /** The config member holding the cache. */
  public static final String CONFIG_KEY = "jbuild.cache.v1";

  public static final int VERSION = 1;

  private InlineCache() {}

  /** {@code config} with {@code records} (cache key -> record) embedded. */
  public static ImageConfig embed(ImageConfig config, Map<String, CacheRecord> records) {
    JsonObject.Builder recs = JsonObject.builder();
    for (var e : records.entrySet()) {
      recs.put(e.getKey(), e.getValue().toJson());
    }
    return config.with(
        CONFIG_KEY,
        JsonObject.builder().put("version", VERSION).put("records", recs.build()).build());
  }
}
