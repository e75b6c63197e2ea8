package dev.jbuild.builder.exec;

import dev.jbuild.builder.cache.KeyBuilder;
import dev.jbuild.builder.cache.MissExplainer;
import dev.jbuild.builder.core.BuildServices;
import dev.jbuild.builder.core.StageState;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.builder.progress.Progress;
import dev.jbuild.builder.steps.Step;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.History;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.store.CacheRecord;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one step the same way whatever it is: compute its key (the parent key, then its inputs),
 * look the key up, and on a hit reuse the recorded layer and time; on a miss execute it, record the
 * result under the key and say what changed. Either way the step's config change and history entry
 * are applied.
 *
 * <p>After a miss, later steps of the stage skip the lookup: their keys include a parent key no
 * build has produced before, so no record can match.
 *
 * <p>One key is executed once per build: the first step to reach a key owns it, a step of another
 * stage or platform with the same key waits for the owner and reuses its record (a {@code FROM
 * --platform=$BUILDPLATFORM} stage of a multi-platform build runs once, not once per platform, and
 * two threads never execute or record one key at the same time).
 */
public final class StepExecutor {
  /** The history comment of every entry jbuild writes. */
  public static final String COMMENT = "jbuild.dockerfile.v0";

  private final BuildServices services;
  private final Progress progress;
  private final MissExplainer explainer;
  private final boolean noCache;
  private final java.util.Set<String> keys = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.ConcurrentHashMap<String, java.util.Set<String>> stageKeys =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicInteger steps =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger cached =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.ConcurrentHashMap<
          String, java.util.concurrent.CompletableFuture<Void>>
      owners = new java.util.concurrent.ConcurrentHashMap<>();

  /** What a lookup waits for first: the {@code --cache-from} imports, which run meanwhile. */
  @FunctionalInterface
  public interface LookupGate {
    void await() throws InterruptedException;
  }

  private volatile LookupGate gate = () -> {};

  public StepExecutor(
      BuildServices services, Progress progress, MissExplainer explainer, boolean noCache) {
    this.services = services;
    this.progress = progress;
    this.explainer = explainer;
    this.noCache = noCache;
  }

  /**
   * Makes every cache lookup wait for {@code gate} first: the build imports its caches while the
   * bases download and the context is hashed, and no step looks for a record before they are in.
   */
  public void lookupAfter(LookupGate gate) {
    this.gate = gate;
  }

  public MissExplainer explainer() {
    return explainer;
  }

  public Progress progress() {
    return progress;
  }

  /** The keys of the steps run so far. */
  public List<String> keys() {
    return List.copyOf(keys);
  }

  /**
   * The keys of the steps run so far in one stage ({@link StageBuilder#stagePosition}), in the
   * order they ran: what {@code --cache-to mode=min} and the inline cache export.
   */
  public List<String> keysOfStage(String stagePosition) {
    java.util.Set<String> k = stageKeys.get(stagePosition);
    if (k == null) {
      return List.of();
    }
    synchronized (k) {
      return List.copyOf(k);
    }
  }

  public int steps() {
    return steps.get();
  }

  public int cached() {
    return cached.get();
  }

  /**
   * Runs {@code step} on {@code state}.
   *
   * @param shown the step as the progress display names it
   * @param position the step's position (see {@link MissExplainer#position})
   */
  public StageState run(
      Step<?> step,
      StageState state,
      dev.jbuild.builder.progress.Step shown,
      String position,
      boolean layerUsedLater)
      throws IOException, StepFailure, InterruptedException {
    return runPrepared(step, state, shown, position, layerUsedLater, null, false);
  }

  /**
   * {@link #run(Step, StageState, dev.jbuild.builder.progress.Step, String, boolean)}, calling
   * {@code onMiss} (when not null) just before the step executes on a cache miss: a stage uses it
   * to have the runner start what its later RUN steps need while this one executes.
   */
  public StageState run(
      Step<?> step,
      StageState state,
      dev.jbuild.builder.progress.Step shown,
      String position,
      boolean layerUsedLater,
      Runnable onMiss)
      throws IOException, StepFailure, InterruptedException {
    return runPrepared(step, state, shown, position, layerUsedLater, onMiss, false);
  }

  /**
   * The same; with {@code ignoreCache} the step is run even when the cache has it ({@code
   * --no-cache-filter}), and its record replaces the cached one.
   */
  public StageState run(
      Step<?> step,
      StageState state,
      dev.jbuild.builder.progress.Step shown,
      String position,
      boolean layerUsedLater,
      Runnable onMiss,
      boolean ignoreCache)
      throws IOException, StepFailure, InterruptedException {
    return runPrepared(step, state, shown, position, layerUsedLater, onMiss, ignoreCache);
  }

  private <P extends Step.Prepared> StageState runPrepared(
      Step<P> step,
      StageState state,
      dev.jbuild.builder.progress.Step shown,
      String position,
      boolean layerUsedLater,
      Runnable onMiss,
      boolean ignoreCache)
      throws IOException, StepFailure, InterruptedException {
    long t0 = System.nanoTime();
    KeyBuilder kb = new KeyBuilder(step.kind());
    if (!step.independent()) {
      kb.put("parent", state.key().toString());
      kb.readsLayers("parent", state.diffIds());
    }
    if (services.sourceDateEpoch() != null) {
      kb.put("source-date-epoch", Long.toString(services.sourceDateEpoch().getEpochSecond()));
    }
    P prepared;
    try {
      prepared = step.prepare(kb, state);
    } catch (IOException | StepFailure | InterruptedException | RuntimeException e) {
      progress.failed(shown, Duration.ofNanos(System.nanoTime() - t0), message(e));
      throw e;
    }
    dev.jbuild.builder.progress.Trace.mark("  prepared " + shown.title());
    Map<String, String> why = kb.components();
    Digest reads = kb.readsDigest();
    Digest key = kb.digest();
    keys.add(key.hex());
    int slash = position.lastIndexOf('/');
    stageKeys
        .computeIfAbsent(
            slash < 0 ? "" : position.substring(0, slash),
            s -> java.util.Collections.synchronizedSet(new java.util.LinkedHashSet<>()))
        .add(key.hex());
    steps.incrementAndGet();
    gate.await();
    var mine = new java.util.concurrent.CompletableFuture<Void>();
    var owner = owners.putIfAbsent(key.hex(), mine);
    Optional<CacheRecord> hit;
    if (owner != null) {
      // the same step in another stage or platform of this build: its record, once written
      try {
        owner.get();
      } catch (java.util.concurrent.ExecutionException e) {
        progress.failed(shown, Duration.ofNanos(System.nanoTime() - t0), message(e.getCause()));
        throw dev.jbuild.builder.errors.BuildErrors.sharedStepFailed(e.getCause());
      }
      hit = services.store().cache().get(key.hex());
    } else {
      hit =
          noCache || ignoreCache || (state.missed() && !step.independent())
              ? Optional.empty()
              : services.store().cache().get(key.hex());
      if (hit.isPresent() && !readTheSame(hit.get(), reads)) {
        // the key was re-made with other content since this record (a stage it reads was
        // re-run by --no-cache-filter): the record holds what the old content gave
        hit = Optional.empty();
        staleReads.add(key.hex());
      }
    }
    try {
      StageState next =
          apply(
              step,
              state,
              shown,
              position,
              layerUsedLater,
              prepared,
              hit,
              why,
              key,
              reads,
              onMiss,
              ignoreCache);
      mine.complete(null);
      return next;
    } catch (IOException | StepFailure | InterruptedException | RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    }
  }

  private <P extends Step.Prepared> StageState apply(
      Step<P> step,
      StageState state,
      dev.jbuild.builder.progress.Step shown,
      String position,
      boolean layerUsedLater,
      P prepared,
      Optional<CacheRecord> hit,
      Map<String, String> why,
      Digest key,
      Digest reads,
      Runnable onMiss,
      boolean ignoreCache)
      throws IOException, StepFailure, InterruptedException {
    dev.jbuild.builder.progress.Trace.mark("  lookup");
    List<CacheRecord.Layer> layers;
    Instant created;
    if (hit.isPresent()) {
      layers = hit.get().layers();
      created = hit.get().created();
      cached.incrementAndGet();
      progress.cached(shown);
    } else {
      String reason =
          noCache
              ? "--no-cache"
              : ignoreCache
                  ? "--no-cache-filter"
                  : staleReads.contains(key.hex())
                      ? "a stage it reads was rebuilt with other content"
                      : explainer.explain(position, why);
      if (onMiss != null) {
        onMiss.run();
      }
      progress.started(shown);
      long t1 = System.nanoTime();
      Optional<CacheRecord.Layer> layer;
      try {
        Step.Execution ex =
            new Step.Execution(
                line -> progress.output(shown, line),
                explainer.previousKey(position),
                layerUsedLater);
        layer = step.producesLayer() ? step.execute(prepared, state, ex) : Optional.empty();
      } catch (IOException | StepFailure | InterruptedException | RuntimeException e) {
        progress.failed(shown, Duration.ofNanos(System.nanoTime() - t1), message(e));
        throw e;
      }
      layers = layer.map(List::of).orElse(List.of());
      created = services.now();
      History h = History.of(created, step.createdBy(), COMMENT, layers.isEmpty());
      services
          .store()
          .cache()
          .put(
              key.hex(),
              new CacheRecord(
                  layers, null, h, created, Map.of(CacheRecord.READS, reads.toString())));
      explainer.recordInputs(key, why);
      progress.finished(shown, Duration.ofNanos(System.nanoTime() - t1), reason);
    }
    explainer.remember(position, key);
    dev.jbuild.builder.progress.Trace.mark("step " + shown.title());
    ImageConfig config = step.apply(state.config());
    History h = History.of(created, step.createdBy(), COMMENT, layers.isEmpty());
    List<CacheRecord.Layer> chain = new ArrayList<>(state.layers());
    List<History> entries = new ArrayList<>(1);
    if (layers.isEmpty()) {
      if (step.recordsHistory()) {
        entries.add(h);
      }
    } else {
      for (CacheRecord.Layer l : layers) {
        config = config.withAddedDiffId(l.diffId());
        entries.add(h);
        chain.add(l);
      }
    }
    // the history goes into the config when the stage is complete (StageState.complete)
    return state.next(config, chain, key, state.missed() || hit.isEmpty(), entries);
  }

  /** Keys whose record was made from other content than this build's (see readTheSame). */
  private final java.util.Set<String> staleReads =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Whether the record was made from the layers this step reads now (a record without the check,
   * imported or older, is trusted).
   */
  private static boolean readTheSame(CacheRecord record, Digest reads) {
    String made = record.why().get(CacheRecord.READS);
    return made == null || made.equals(reads.toString());
  }

  static String message(Throwable e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m;
  }
}
