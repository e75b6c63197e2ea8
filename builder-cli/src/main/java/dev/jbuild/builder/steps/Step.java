package dev.jbuild.builder.steps;

import dev.jbuild.builder.cache.KeyBuilder;
import dev.jbuild.builder.core.StageState;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.store.CacheRecord;
import java.io.IOException;
import java.util.Optional;

/**
 * One instruction, expanded and ready: what its cache key is made of, what it does to the config,
 * and (on a cache miss) how it makes its layer. The executor does the rest the same way for every
 * step: key, lookup, execute, record, history.
 *
 * <p>The contract is two calls with nothing carried between them in the step: {@link #prepare}
 * resolves what the step reads (context files, downloads, the stages and images it names), adds it
 * to the key and returns it as a {@code P}; on a miss {@link #execute} gets that value back. A step
 * object holds only what its constructor was given, so preparing it twice, or executing what an
 * earlier prepare returned, is safe.
 *
 * @param <P> what {@link #prepare} resolves for {@link #execute}
 */
public interface Step<P extends Step.Prepared> {
  /** The cache-key kind ("run", "copy", "env", ...). */
  String kind();

  /**
   * Adds this step's inputs to its key (the executor adds the parent key first) and returns what
   * they resolved to.
   */
  P prepare(KeyBuilder key, StageState state) throws IOException, StepFailure, InterruptedException;

  /**
   * True when the key must not include the parent key (COPY --link: its layer does not depend on
   * what is below it).
   */
  default boolean independent() {
    return false;
  }

  /** The config after this step (deterministic, also applied on a cache hit). */
  default ImageConfig apply(ImageConfig config) {
    return config;
  }

  /** True when the step may produce a layer (RUN, COPY, ADD, WORKDIR). */
  default boolean producesLayer() {
    return false;
  }

  /**
   * On a miss: makes the step's layer from what {@link #prepare} returned (empty when it changed
   * nothing).
   */
  default Optional<CacheRecord.Layer> execute(P prepared, StageState state, Execution execution)
      throws IOException, StepFailure, InterruptedException {
    return Optional.empty();
  }

  /**
   * What a missed step gets to run with.
   *
   * @param output where its output lines go
   * @param previousKey the key this step (same Dockerfile position) had in the last build, if any:
   *     its layer may be reused piecewise
   * @param layerUsedLater true when a later step or stage will mount the layer, so building its
   *     unpacked form now saves unpacking the blob then
   */
  record Execution(StepOutput output, String previousKey, boolean layerUsedLater) {}

  /** The history entry's created_by text. */
  String createdBy();

  /**
   * Whether a step without a layer adds a history entry ({@code empty_layer}); docker build records
   * every instruction but ONBUILD.
   */
  default boolean recordsHistory() {
    return true;
  }

  /** Where a running step sends its output lines. */
  @FunctionalInterface
  interface StepOutput {
    void line(String line);
  }

  /** What a step's {@link #prepare} resolved: immutable, handed back to {@link #execute}. */
  interface Prepared {}

  /** The prepared value of a step whose key inputs resolve nothing (metadata, WORKDIR). */
  enum Nothing implements Prepared {
    INSTANCE
  }
}
