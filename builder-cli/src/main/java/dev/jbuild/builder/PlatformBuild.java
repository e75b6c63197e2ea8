package dev.jbuild.builder;

import dev.jbuild.builder.core.BaseImage;
import dev.jbuild.builder.core.BuildServices;
import dev.jbuild.builder.core.StageState;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.builder.exec.ImageResolver;
import dev.jbuild.builder.exec.StageBuilder;
import dev.jbuild.builder.exec.StageResult;
import dev.jbuild.builder.exec.StepExecutor;
import dev.jbuild.builder.exec.StoreImages;
import dev.jbuild.builder.progress.Progress;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.SourceRef;
import dev.jbuild.grammar.graph.Stage;
import dev.jbuild.layercache.model.Platform;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The stages of one target platform: the plan made for it (TARGETPLATFORM and friends), each stage
 * run for its own platform ({@code FROM --platform}, else the target), a stage reading the stages
 * of this plan ({@code COPY --from} of a stage built for another platform gets that stage's files).
 * The stages of every platform share one {@link StepExecutor}, so a step whose key does not depend
 * on the target (a {@code FROM --platform=$BUILDPLATFORM} stage) runs once for all of them.
 */
final class PlatformBuild {
  final Platform target;
  final BuildPlan plan;
  final Map<Integer, CompletableFuture<StageResult>> results =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** How {@link #start} launched the stages, for a stage started later ({@link #future}). */
  private record Launch(
      ExecutorService pool,
      BuildServices shared,
      StepExecutor executor,
      ImageResolver images,
      AtomicInteger ids,
      BuildRequest req,
      Progress progress,
      String label) {}

  private volatile Launch launch;

  PlatformBuild(Platform target, BuildPlan plan) {
    this.target = target;
    this.plan = plan;
    for (Stage s : plan.stages()) {
      results.put(s.index(), new CompletableFuture<>());
    }
  }

  CompletableFuture<StageResult> targetResult() {
    return results.get(plan.targetIndex());
  }

  /**
   * The platform a stage's steps run for: {@code FROM --platform}, else the target; a stage built
   * FROM another stage runs for that stage's platform whatever its own FROM says (BuildKit's
   * dispatchState.init copies the base stage's platform).
   */
  Platform platformOf(Stage s) {
    Stage at = s;
    while (at.baseRef() instanceof SourceRef.StageRef ref && ref.index() < at.index()) {
      at = plan.allStages().get(ref.index());
    }
    return at.platform().map(p -> Platform.parse(p.toString())).orElse(target);
  }

  /** Starts every stage of the plan on {@code pool}; the futures go to {@code running}. */
  void start(
      ExecutorService pool,
      BuildServices shared,
      StepExecutor executor,
      ImageResolver images,
      AtomicInteger ids,
      BuildRequest req,
      Progress progress,
      String label,
      List<Future<?>> running) {
    launch = new Launch(pool, shared, executor, images, ids, req, progress, label);
    for (Stage s : plan.stages()) {
      running.add(launch(s, results.get(s.index()), false));
    }
  }

  private Future<?> launch(Stage s, CompletableFuture<StageResult> f, boolean onDemand) {
    Launch l = launch;
    Platform p = platformOf(s);
    BuildServices services =
        l.shared().withPlatform(p, resolver(p, l.images(), l.req(), l.progress()));
    StageBuilder sb =
        new StageBuilder(
                plan,
                s,
                services,
                l.executor(),
                l.images(),
                l.ids(),
                l.req().pull(),
                l.label(),
                l.req().platformGiven())
            .inheritingScopes(this::finalScope)
            .ignoringCache(l.req().noCacheFor(s.name()))
            .readByOthers(onDemand);
    return l.pool()
        .submit(
            () -> {
              try {
                f.complete(sb.build());
              } catch (Throwable t) {
                f.completeExceptionally(t);
              }
            });
  }

  /**
   * The result of stage {@code index}: a stage of the plan, or one the plan pruned that an ONBUILD
   * trigger of a base image names ({@code COPY --from=builder}), started now. BuildKit resolves the
   * stages a trigger reaches the same way (its resolveStages loops while triggers add
   * dependencies). Null for an index the Dockerfile does not have.
   */
  private CompletableFuture<StageResult> future(int index) {
    CompletableFuture<StageResult> f = results.get(index);
    if (f != null || index < 0 || index >= plan.allStages().size() || launch == null) {
      return f;
    }
    CompletableFuture<StageResult> mine = new CompletableFuture<>();
    CompletableFuture<StageResult> raced = results.putIfAbsent(index, mine);
    if (raced != null) {
      return raced;
    }
    launch(plan.allStages().get(index), mine, true);
    return mine;
  }

  /** The final ARG and ENV scope of stage {@code index} of this plan, once it is built. */
  private dev.jbuild.grammar.graph.StageScope finalScope(int index)
      throws dev.jbuild.builder.errors.StepFailure, InterruptedException {
    CompletableFuture<StageResult> f = future(index);
    if (f == null) {
      throw BuildErrors.stageNotInBuild(index);
    }
    try {
      return f.get().scope();
    } catch (ExecutionException e) {
      throw BuildErrors.stageFailed(index, e.getCause());
    }
  }

  /** COPY --from and RUN --mount from= of a stage of {@code platform}. */
  private BuildServices.SourceResolver resolver(
      Platform platform, ImageResolver images, BuildRequest req, Progress progress) {
    return ref ->
        switch (ref) {
          case SourceRef.Scratch s -> StoreImages.scratch(platform);
          case SourceRef.ImageRef r ->
              images.resolve(
                  r.reference(),
                  platform,
                  req.pull(),
                  progress,
                  new dev.jbuild.builder.progress.Step(0, "", "FROM " + r.reference()));
          case SourceRef.StageRef s -> {
            CompletableFuture<StageResult> f = future(s.index());
            if (f == null) {
              throw BuildErrors.stageNotInBuild(s.index());
            }
            StageState st;
            try {
              st = f.get().state();
            } catch (ExecutionException e) {
              throw BuildErrors.stageFailed(s.index(), e.getCause());
            }
            // the stage's key names it; a RUN re-run by --no-cache-filter keeps its key but
            // not its content, and the steps that read the stage check what they read on a hit
            // (StepExecutor: the diff IDs they read), so a record of the old content misses
            yield new BaseImage(st.config(), st.layers(), st.key(), java.util.Optional.empty());
          }
        };
  }
}
