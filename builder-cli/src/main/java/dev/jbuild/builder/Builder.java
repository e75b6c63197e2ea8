package dev.jbuild.builder;

import dev.jbuild.builder.cache.MissExplainer;
import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.FileHashCache;
import dev.jbuild.builder.context.IgnoreFilter;
import dev.jbuild.builder.context.Ignores;
import dev.jbuild.builder.core.BaseImage;
import dev.jbuild.builder.core.BuildServices;
import dev.jbuild.builder.core.StageState;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.builder.exec.ImageAssembler;
import dev.jbuild.builder.exec.ImageResolver;
import dev.jbuild.builder.exec.StageBuilder;
import dev.jbuild.builder.exec.StageResult;
import dev.jbuild.builder.exec.StepExecutor;
import dev.jbuild.builder.exec.StoreImages;
import dev.jbuild.builder.progress.Progress;
import dev.jbuild.builder.progress.Trace;
import dev.jbuild.builder.publish.Publication;
import dev.jbuild.builder.publish.PublishFailure;
import dev.jbuild.builder.publish.Publisher;
import dev.jbuild.builder.run.CacheMounts;
import dev.jbuild.grammar.Dockerfile;
import dev.jbuild.grammar.Dockerfiles;
import dev.jbuild.grammar.graph.BuildGraph;
import dev.jbuild.grammar.graph.BuildPlan;
import dev.jbuild.grammar.graph.PlanOptions;
import dev.jbuild.grammar.graph.PlatformSpec;
import dev.jbuild.grammar.graph.SourceRef;
import dev.jbuild.grammar.graph.Stage;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.History;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.registry.Registries;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.Runner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The whole build: imports registry caches, parses the Dockerfile, plans the stages the target
 * needs, builds independent stages in parallel (each waits only for the stages it reads from),
 * writes the target stage's image into the store, then writes the image ID file and the exports,
 * pushes and exports the cache ({@link Publication}).
 */
public final class Builder {
  private final Store store;
  private final Runner runner;
  private final ImageResolver images;
  private final Registries registries;
  private final Clock clock;

  public Builder(
      Store store, Runner runner, ImageResolver images, Registries registries, Clock clock) {
    this.store = store;
    this.runner = runner;
    this.images = images;
    this.registries = registries;
    this.clock = clock;
  }

  /**
   * Builds {@code req}.
   *
   * @param progress shows the steps; closed once the image is in the store, before the exports
   * @param log where cache imports, exports and pushes report (the terminal's error stream)
   * @throws BuildFailure when a step failed (its Dockerfile lines, message and last output)
   * @throws StepFailure when an instruction cannot become a step (RUN --network=host without the
   *     entitlement)
   * @throws PublishFailure when a registry refused a push or the cache export
   * @throws IOException when the store, the context or an export cannot be read or written
   */
  public BuildResult build(BuildRequest req, Progress progress, PrintWriter log)
      throws IOException, BuildFailure, StepFailure, PublishFailure, InterruptedException {
    Trace.mark("build start");
    Publisher publisher = new Publisher(store, registries, log);
    publisher.importCaches(req.publication());
    Dockerfile dockerfile = Dockerfiles.parse(req.dockerfileName(), req.dockerfileText());
    Trace.mark("parsed");
    PlatformSpec platformSpec = PlatformSpec.parse(req.platform().toString());
    BuildPlan plan =
        BuildGraph.plan(
            dockerfile,
            PlanOptions.defaults()
                .withBuildArgs(req.buildArgs())
                .withTarget(req.target().orElse(null))
                .withTargetPlatform(platformSpec)
                .withBuildPlatform(PlatformSpec.host()));

    Trace.mark("planned");
    FileHashCache hashes = null;
    Optional<BuildContext> context = Optional.empty();
    if (req.context().isPresent()) {
      Path dir = req.context().get().toAbsolutePath().normalize();
      IgnoreFilter ignore = Ignores.forContext(dir, req.dockerfilePath());
      hashes = FileHashCache.load(hashCacheFile(dir));
      context = Optional.of(new BuildContext(dir, ignore, hashes));
    }

    Map<Integer, CompletableFuture<StageResult>> results = new HashMap<>();
    for (Stage s : plan.stages()) {
      results.put(s.index(), new CompletableFuture<>());
    }
    BuildServices.SourceResolver sources =
        ref ->
            switch (ref) {
              case SourceRef.Scratch s -> StoreImages.scratch(req.platform());
              case SourceRef.ImageRef r ->
                  images.resolve(
                      r.reference(),
                      req.platform(),
                      req.pull(),
                      progress,
                      new dev.jbuild.builder.progress.Step(0, "", "FROM " + r.reference()));
              case SourceRef.StageRef s -> {
                CompletableFuture<StageResult> f = results.get(s.index());
                if (f == null) {
                  throw BuildErrors.stageNotInBuild(s.index());
                }
                StageState st;
                try {
                  st = f.get().state();
                } catch (ExecutionException e) {
                  throw BuildErrors.stageFailed(s.index(), e.getCause());
                }
                yield new BaseImage(st.config(), st.layers(), st.key(), Optional.empty());
              }
            };
    BuildServices services =
        new BuildServices(
            store,
            runner,
            context,
            req.secrets(),
            new CacheMounts(store.root()),
            req.sshAgents(),
            req.network(),
            req.allowHostNetwork(),
            req.runtime(),
            req.platform(),
            req.sourceDateEpoch(),
            clock,
            sources);
    String dockerfileId =
        req.dockerfilePath().map(p -> p.toAbsolutePath().normalize().toString()).orElse("-")
            + "\0"
            + req.context().map(p -> p.toAbsolutePath().normalize().toString()).orElse("-")
            + "\0"
            + req.target().orElse("");
    StepExecutor executor =
        new StepExecutor(services, progress, new MissExplainer(store, dockerfileId), req.noCache());
    AtomicInteger ids = new AtomicInteger();

    Trace.mark("context ready");
    StageResult target;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Map<Integer, Future<?>> running = new HashMap<>();
      for (Stage s : plan.stages()) {
        StageBuilder sb = new StageBuilder(plan, s, services, executor, images, ids, req.pull());
        CompletableFuture<StageResult> f = results.get(s.index());
        running.put(
            s.index(),
            pool.submit(
                () -> {
                  try {
                    f.complete(sb.build());
                  } catch (Throwable t) {
                    f.completeExceptionally(t);
                  }
                }));
      }
      try {
        target = firstFailureOr(results, plan.targetIndex());
      } catch (Exception e) {
        for (Future<?> r : running.values()) {
          r.cancel(true);
        }
        throw e;
      } finally {
        executor.explainer().save();
      }
    }

    Trace.mark("stages done");
    ImageConfig config = finish(target.state(), req);
    Image image = ImageAssembler.write(store, config, target.state().layers(), req.tags());
    if (hashes != null) {
      try {
        hashes.save();
      } catch (IOException e) {
        progress.message("warning: cannot save context hashes: " + e.getMessage());
      }
    }
    Trace.mark("image written");
    progress.message("writing image " + image.id() + " done");
    for (String t : req.tags()) {
      progress.message("naming to " + t + " done");
    }
    progress.close();
    BuildResult result =
        new BuildResult(image, req.tags(), executor.steps(), executor.cached(), executor.keys());
    publisher.publish(req.publication(), image, result.tags(), result.keys());
    return result;
  }

  /**
   * Waits for the target; when any stage fails first, its failure is the build's (the stage that
   * failed, not one that merely waited on it).
   */
  private static StageResult firstFailureOr(
      Map<Integer, CompletableFuture<StageResult>> results, int target)
      throws BuildFailure, StepFailure, InterruptedException {
    CompletableFuture<?> anyFailure = new CompletableFuture<>();
    for (CompletableFuture<StageResult> f : results.values()) {
      f.whenComplete(
          (r, t) -> {
            if (t != null) {
              anyFailure.completeExceptionally(t);
            }
          });
    }
    CompletableFuture<StageResult> t = results.get(target);
    try {
      CompletableFuture.anyOf(t, anyFailure).exceptionally(x -> null).get();
    } catch (ExecutionException e) {
      throw rethrow(e); // cannot happen: exceptionally() turned failures into null
    }
    if (anyFailure.isCompletedExceptionally()) {
      try {
        anyFailure.get();
      } catch (ExecutionException e) {
        throw rethrow(e);
      }
    }
    try {
      return t.get();
    } catch (ExecutionException e) {
      throw rethrow(e);
    }
  }

  /**
   * A stage's failure as what {@link StageBuilder#build} threw: a {@link BuildFailure}, a {@link
   * StepFailure}, an interruption, or an unchecked exception or error (thrown as is).
   */
  private static BuildFailure rethrow(ExecutionException e)
      throws BuildFailure, StepFailure, InterruptedException {
    Throwable c = e.getCause();
    while (c instanceof ExecutionException && c.getCause() != null) {
      c = c.getCause();
    }
    switch (c) {
      case BuildFailure f -> throw f;
      case StepFailure f -> throw f;
      case InterruptedException i -> throw i;
      case RuntimeException r -> throw r;
      case Error err -> throw err;
      case null, default -> throw new IllegalStateException("a stage failed", c);
    }
  }

  /** The target's config with --label values and its creation time set. */
  private ImageConfig finish(StageState state, BuildRequest req) {
    ImageConfig config = state.config();
    for (var e : req.labels().entrySet()) {
      config = config.withLabel(e.getKey(), e.getValue());
    }
    if (!req.labels().isEmpty()) {
      config = dev.jbuild.builder.steps.StepFactory.sorted(config, "Labels");
    }
    List<History> history = config.historyOrEmpty();
    Instant created = null;
    for (History h : history) {
      Instant c = h.createdInstant();
      if (c != null && (created == null || c.isAfter(created))) {
        created = c;
      }
    }
    if (req.sourceDateEpoch() != null) {
      created = req.sourceDateEpoch();
    }
    if (created != null) {
      config = config.withCreated(created);
    }
    return config;
  }

  private Path hashCacheFile(Path contextDir) {
    String id =
        Digest.sha256(contextDir.toString().getBytes(StandardCharsets.UTF_8))
            .hex()
            .substring(0, 32);
    return store.root().resolve("builder").resolve("context-hashes").resolve(id);
  }
}
