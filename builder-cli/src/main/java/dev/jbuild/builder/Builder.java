package dev.jbuild.builder;

import dev.jbuild.builder.attest.Attestor;
import dev.jbuild.builder.attest.Materials;
import dev.jbuild.builder.cache.MissExplainer;
import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.FileHashCache;
import dev.jbuild.builder.context.IgnoreFilter;
import dev.jbuild.builder.context.Ignores;
import dev.jbuild.builder.core.BaseImage;
import dev.jbuild.builder.core.BuildServices;
import dev.jbuild.builder.core.StageState;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.builder.exec.ImageAssembler;
import dev.jbuild.builder.exec.ImageResolver;
import dev.jbuild.builder.exec.NamedContextImages;
import dev.jbuild.builder.exec.StageBuilder;
import dev.jbuild.builder.exec.StageResult;
import dev.jbuild.builder.exec.StepExecutor;
import dev.jbuild.builder.progress.Progress;
import dev.jbuild.builder.progress.Trace;
import dev.jbuild.builder.publish.CacheKeys;
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
import dev.jbuild.layercache.archive.InlineCache;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.History;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.registry.Registries;
import dev.jbuild.layercache.registry.RegistryBlobFetcher;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.Runner;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
    Instant started = clock.instant();
    Publisher publisher = new Publisher(store, registries, log);
    if (registries != null) {
      // remote blobs (an imported cache's layers, lazily resolved bases) come when a step needs
      // them
      store.remote().fetcher(new RegistryBlobFetcher(registries));
    }
    Dockerfile dockerfile = Dockerfiles.parse(req.dockerfileName(), req.dockerfileText());
    Trace.mark("parsed");
    List<PlatformBuild> builds = new ArrayList<>();
    for (Platform p : req.platforms()) {
      BuildPlan plan =
          BuildGraph.plan(
              dockerfile,
              PlanOptions.defaults()
                  .withBuildArgs(req.buildArgs())
                  .withTarget(req.target().orElse(null))
                  .withTargetPlatform(PlatformSpec.parse(p.toString()))
                  .withBuildPlatform(PlatformSpec.host())
                  .withNamedContexts(req.namedContexts().keySet()));
      builds.add(new PlatformBuild(p, plan));
    }
    boolean multi = builds.size() > 1;

    Trace.mark("planned");
    FileHashCache hashes = null;
    Optional<BuildContext> context = Optional.empty();
    if (req.context().isPresent()) {
      Path dir = req.context().get().toAbsolutePath().normalize();
      IgnoreFilter ignore = Ignores.forContext(dir, req.dockerfilePath());
      hashes = FileHashCache.load(hashCacheFile(dir));
      context = Optional.of(new BuildContext(dir, ignore, hashes));
    }

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
            ref -> {
              throw new IllegalStateException("no stage");
            },
            req.runSettings());
    String dockerfileId =
        req.dockerfilePath().map(p -> p.toAbsolutePath().normalize().toString()).orElse("-")
            + "\0"
            + req.context().map(p -> p.toAbsolutePath().normalize().toString()).orElse("-")
            + "\0"
            + req.target().orElse("");
    StepExecutor executor =
        new StepExecutor(services, progress, new MissExplainer(store, dockerfileId), req.noCache());
    AtomicInteger ids = new AtomicInteger();
    ImageResolver resolver = images;
    if (!req.namedContexts().isEmpty()) {
      resolver =
          new NamedContextImages(
              images,
              req.namedContexts(),
              (name, dir, p) -> contextStage(name, dir, p, services, executor, ids),
              new dev.jbuild.builder.exec.OciLayoutImages(store));
    }

    Materials materials = null;
    if (req.attestations().provenance().isPresent()) {
      materials = new Materials(resolver); // provenance's materials: every image resolved
      resolver = materials;
    }

    Trace.mark("context ready");
    // the --cache-from imports run while the stages pull their bases and hash the context; every
    // lookup waits for them
    CacheImportTask imports = CacheImportTask.start(publisher, req.publication(), progress, log);
    executor.lookupAfter(imports::await);
    // and meanwhile the context is hashed for the COPY steps that will look for their records
    Thread prefetch =
        context.isPresent() && !req.publication().cacheFrom().isEmpty()
            ? dev.jbuild.builder.context.HashPrefetch.start(context.get(), imports::done)
            : null;
    List<StageResult> targets = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> running = new ArrayList<>();
      for (PlatformBuild b : builds) {
        b.start(
            pool,
            services,
            executor,
            resolver,
            ids,
            req,
            progress,
            multi ? b.target.toString() : "",
            running);
      }
      List<CompletableFuture<StageResult>> all = new ArrayList<>();
      for (PlatformBuild b : builds) {
        all.addAll(b.results.values());
      }
      try {
        for (PlatformBuild b : builds) {
          targets.add(firstFailureOr(all, b.targetResult()));
        }
      } catch (Exception e) {
        for (Future<?> r : running) {
          r.cancel(true);
        }
        throw e;
      } finally {
        imports.finish();
        if (prefetch != null) {
          prefetch.join(); // before the hash cache is saved
        }
        executor.explainer().save();
      }
    }

    Trace.mark("stages done");
    List<Image> written = new ArrayList<>();
    Annotations notes = req.annotations();
    List<String> finalKeys = new ArrayList<>();
    List<List<CacheRecord.Layer>> layers = new ArrayList<>();
    boolean attested = req.attestations().any();
    for (int i = 0; i < targets.size(); i++) {
      StageResult target = targets.get(i);
      PlatformBuild b = builds.get(i);
      List<String> stageKeys =
          executor.keysOfStage(
              StageBuilder.stagePosition(multi ? b.target.toString() : "", b.plan.targetIndex()));
      finalKeys.addAll(stageKeys);
      ImageConfig config = finish(target.state(), req);
      if (req.publication().inlineCache()) {
        config = InlineCache.embed(config, records(stageKeys));
      }
      Image image = ImageAssembler.store(store, config, target.state().layers());
      image =
          ImageAssembler.annotate(
              store, image, notes.of(Annotations.Level.MANIFEST, req.platforms().get(i)));
      if (!multi && !attested) {
        ImageAssembler.name(store, image.manifestDescriptor(), req.tags());
      }
      written.add(image);
      layers.add(target.state().layers());
    }
    List<Descriptor> attestations = List.of();
    if (attested) {
      // as BuildKit: one attestation manifest per image, listed in the index after the images
      attestations =
          new Attestor(store, req.attestations())
              .attach(
                  written,
                  layers,
                  req.platforms(),
                  req.tags(),
                  new Attestor.Build(
                      req.dockerfileName(),
                      req.dockerfileText(),
                      req.buildArgs(),
                      req.labels(),
                      req.target(),
                      builds.stream().map(b -> b.plan).toList(),
                      context,
                      materials,
                      started,
                      clock.instant(),
                      req.sourceDateEpoch()));
    }
    Optional<Descriptor> index = Optional.empty();
    if (multi || attested) {
      List<java.util.Map<String, String>> descriptors = new ArrayList<>();
      for (Platform p : req.platforms()) {
        descriptors.add(notes.of(Annotations.Level.MANIFEST_DESCRIPTOR, p));
      }
      index =
          Optional.of(
              ImageAssembler.writeIndex(
                  store,
                  written,
                  req.platforms(),
                  req.tags(),
                  descriptors,
                  notes.of(Annotations.Level.INDEX, null),
                  attestations));
    }
    if (hashes != null) {
      try {
        hashes.save();
      } catch (IOException e) {
        progress.message("warning: cannot save context hashes: " + e.getMessage());
      }
    }
    Trace.mark("image written");
    if (index.isPresent()) {
      for (int i = 0; i < written.size(); i++) {
        progress.message(
            "writing image " + written.get(i).id() + " for " + req.platforms().get(i) + " done");
      }
      progress.message("writing image index " + index.get().digest() + " done");
    } else {
      progress.message("writing image " + written.getFirst().id() + " done");
    }
    for (String t : req.tags()) {
      progress.message("naming to " + t + " done");
    }
    progress.close();
    BuildResult result =
        new BuildResult(
            written.getFirst(),
            index,
            written,
            req.tags(),
            executor.steps(),
            executor.cached(),
            executor.keys());
    publisher.publish(
        req.publication(),
        result.root(),
        result.id(),
        written.size() > 1 ? null : result.image().id(),
        result.tags(),
        new CacheKeys(result.keys(), finalKeys));
    return result;
  }

  /** The store's records of {@code keys} (cache key -> record), in order. */
  private java.util.Map<String, CacheRecord> records(List<String> keys) throws IOException {
    java.util.Map<String, CacheRecord> out = new java.util.LinkedHashMap<>();
    for (String k : keys) {
      Optional<CacheRecord> r = store.cache().get(k);
      if (r.isPresent()) {
        out.put(k, r.get());
      }
    }
    return out;
  }

  /**
   * Waits for the target; when any stage fails first, its failure is the build's (the stage that
   * failed, not one that merely waited on it).
   */
  private static StageResult firstFailureOr(
      List<CompletableFuture<StageResult>> all, CompletableFuture<StageResult> t)
      throws BuildFailure, StepFailure, InterruptedException {
    CompletableFuture<?> anyFailure = new CompletableFuture<>();
    for (CompletableFuture<StageResult> f : all) {
      f.whenComplete(
          (r, x) -> {
            if (x != null) {
              anyFailure.completeExceptionally(x);
            }
          });
    }
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

  /**
   * The image of a directory named context: {@code COPY . /} onto scratch, with the directory as
   * the context (its own .dockerignore, its own content-hash cache), run by the build's executor
   * (cached like any step, labelled {@code [context NAME ...]}).
   */
  private BaseImage contextStage(
      String name,
      Path dir,
      Platform platform,
      BuildServices shared,
      StepExecutor executor,
      AtomicInteger ids)
      throws IOException, StepFailure, InterruptedException {
    Path abs = dir.toAbsolutePath().normalize();
    IgnoreFilter ignore = Ignores.forContext(abs, Optional.empty());
    FileHashCache hashes = FileHashCache.load(hashCacheFile(abs));
    BuildContext ctx = new BuildContext(abs, ignore, hashes);
    Dockerfile df = Dockerfiles.parse("--build-context " + name, "FROM scratch\nCOPY . /\n");
    BuildPlan plan =
        BuildGraph.plan(
            df,
            PlanOptions.defaults()
                .withTargetPlatform(PlatformSpec.parse(platform.toString()))
                .withBuildPlatform(PlatformSpec.host()));
    BuildServices services =
        shared
            .withContext(ctx)
            .withPlatform(
                platform,
                ref -> {
                  throw new IllegalStateException("a context stage reads no other source");
                });
    StageResult r;
    try {
      r =
          new StageBuilder(
                  plan,
                  plan.stages().getFirst(),
                  services,
                  executor,
                  images,
                  ids,
                  false,
                  "context " + name,
                  true)
              .build();
    } catch (BuildFailure f) {
      throw new StepFailure("--build-context " + name + ": " + f.getMessage(), f);
    }
    try {
      hashes.save();
    } catch (IOException e) {
      // only a cache of content hashes
    }
    return new BaseImage(r.state().config(), r.state().layers(), r.state().key(), Optional.empty());
  }

  private Path hashCacheFile(Path contextDir) {
    String id =
        Digest.sha256(contextDir.toString().getBytes(StandardCharsets.UTF_8))
            .hex()
            .substring(0, 32);
    return store.root().resolve("builder").resolve("context-hashes").resolve(id);
  }
}
