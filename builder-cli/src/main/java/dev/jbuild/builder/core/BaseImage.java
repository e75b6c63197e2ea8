package dev.jbuild.builder.core;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.store.CacheRecord;
import java.util.List;
import java.util.Optional;

/**
 * An image a stage starts from, or COPY --from / RUN --mount from= reads.
 *
 * @param config its config
 * @param layers its layers (blob and diff ID each), base first
 * @param key the cache key it contributes: from its manifest digest, or a stage's final key
 * @param manifest the manifest digest of a stored image; empty for scratch and stages
 */
public record BaseImage(
    ImageConfig config, List<CacheRecord.Layer> layers, Digest key, Optional<Digest> manifest) {
  public BaseImage {
    layers = List.copyOf(layers);
  }

  public List<Digest> diffIds() {
    return layers.stream().map(CacheRecord.Layer::diffId).toList();
  }
}
