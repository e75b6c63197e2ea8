package dev.jbuild.builder.core;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.History;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.store.CacheRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Where a stage stands between two instructions: the image config so far, the layer chain (base
 * first) and the cache key of everything up to here.
 *
 * <p>The history entries of the stage's own steps are kept aside ({@code added}, a shared linked
 * list) and written into the config once, by {@link #complete()}: appending each one to the config
 * would copy and re-validate the whole history at every step, quadratic in the number of
 * instructions (2,000 ARGs took minutes). Mid-stage readers of {@link #config()} (steps read the
 * container config: env, user, workdir, shell) never need the history.
 *
 * @param config the config, without the history entries of {@code added}
 * @param missed true once a step of this stage missed the cache: every later key is then new, so
 *     later lookups are skipped and their inputs may be computed while executing
 * @param added the history entries this stage added so far (newest first), or null
 */
public record StageState(
    ImageConfig config, List<CacheRecord.Layer> layers, Digest key, boolean missed, Added added) {
  /** An immutable list of history entries, newest first, sharing its tail with older states. */
  public record Added(History entry, Added older, int size) {
    Added plus(History h) {
      return new Added(h, this, size + 1);
    }

    static Added plus(Added list, History h) {
      return list == null ? new Added(h, null, 1) : list.plus(h);
    }

    List<History> oldestFirst() {
      List<History> out = new ArrayList<>(size);
      for (Added a = this; a != null; a = a.older) {
        out.add(a.entry);
      }
      Collections.reverse(out);
      return out;
    }
  }

  public StageState {
    Objects.requireNonNull(config, "config");
    layers = List.copyOf(layers);
    Objects.requireNonNull(key, "key");
  }

  public StageState(
      ImageConfig config, List<CacheRecord.Layer> layers, Digest key, boolean missed) {
    this(config, layers, key, missed, null);
  }

  public List<Digest> diffIds() {
    return layers.stream().map(CacheRecord.Layer::diffId).toList();
  }

  public StageState withConfig(ImageConfig c) {
    return new StageState(c, layers, key, missed, added);
  }

  public StageState withKey(Digest k, boolean miss) {
    return new StageState(config, layers, k, missed || miss, added);
  }

  public StageState withAddedLayer(CacheRecord.Layer layer) {
    List<CacheRecord.Layer> l = new ArrayList<>(layers);
    l.add(layer);
    return new StageState(config, l, key, missed, added);
  }

  /** This state after a step: its config, layers, key, and history entry (or none). */
  public StageState next(
      ImageConfig c, List<CacheRecord.Layer> l, Digest k, boolean miss, List<History> entries) {
    Added a = added;
    for (History h : entries) {
      a = Added.plus(a, h);
    }
    return new StageState(c, l, k, miss, a);
  }

  /** The same state with the history entries written into the config (a finished stage). */
  public StageState complete() {
    if (added == null) {
      return this;
    }
    List<History> all = new ArrayList<>(config.historyOrEmpty());
    all.addAll(added.oldestFirst());
    return new StageState(config.withHistory(all), layers, key, missed, null);
  }
}
