package dev.jbuild.builder.exec;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.store.CacheRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where a stage stands between two instructions: the image config so far, the layer chain (base
 * first) and the cache key of everything up to here.
 *
 * @param missed true once a step of this stage missed the cache: every later key is then new, so
 *     later lookups are skipped and their inputs may be computed while executing
 */
public record StageState(
    ImageConfig config, List<CacheRecord.Layer> layers, Digest key, boolean missed) {
  public StageState {
    Objects.requireNonNull(config, "config");
    layers = List.copyOf(layers);
    Objects.requireNonNull(key, "key");
  }

  public List<Digest> diffIds() {
    return layers.stream().map(CacheRecord.Layer::diffId).toList();
  }

  public StageState withConfig(ImageConfig c) {
    return new StageState(c, layers, key, missed);
  }

  public StageState withKey(Digest k, boolean miss) {
    return new StageState(config, layers, k, missed || miss);
  }

  public StageState withAddedLayer(CacheRecord.Layer layer) {
    List<CacheRecord.Layer> l = new ArrayList<>(layers);
    l.add(layer);
    return new StageState(config, l, key, missed);
  }
}
