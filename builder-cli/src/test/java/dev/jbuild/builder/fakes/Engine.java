package dev.jbuild.builder.fakes;

import dev.jbuild.builder.cache.MissExplainer;
import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.FileHashCache;
import dev.jbuild.builder.context.IgnoreFilter;
import dev.jbuild.builder.core.BaseImage;
import dev.jbuild.builder.core.BuildServices;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.builder.exec.StepExecutor;
import dev.jbuild.builder.run.CacheMounts;
import dev.jbuild.builder.run.Secrets;
import dev.jbuild.grammar.graph.SourceRef;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.Network;
import dev.jbuild.runner.RunRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The engine's surroundings for unit tests: a real store and a build context in a temp directory, a
 * {@link FakeRunner}, a fixed clock, and stages or images for {@code --from} set by the test.
 */
public final class Engine {
  public static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

  public final Path dir;
  public final Store store;
  public final Path context;
  public final FakeRunner runner = new FakeRunner();
  public final RecordingProgress progress = new RecordingProgress();
  public final Map<Integer, BaseImage> stages = new HashMap<>();
  public Secrets secrets = Secrets.none();
  public Map<String, Path> sshAgents = Map.of();
  public boolean allowHostNetwork;
  public Instant sourceDateEpoch;
  private boolean withContext = true;

  public Engine(Path dir) throws IOException {
    this.dir = dir;
    this.store = Store.open(dir.resolve("store"));
    this.context = Files.createDirectories(dir.resolve("context"));
  }

  /** Services without a build context (a Dockerfile from stdin). */
  public Engine withoutContext() {
    this.withContext = false;
    return this;
  }

  /** Writes a context file (parents created). */
  public Path write(String rel, String content) throws IOException {
    Path p = context.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  /** Fresh services (a new context object, so no memoised hash survives a file change). */
  public BuildServices services() {
    Optional<BuildContext> ctx =
        withContext
            ? Optional.of(new BuildContext(context, IgnoreFilter.NONE, FileHashCache.inMemory()))
            : Optional.empty();
    return new BuildServices(
        store,
        runner,
        ctx,
        secrets,
        new CacheMounts(store.root()),
        sshAgents,
        Network.PRIVATE,
        allowHostNetwork,
        RunRequest.DEFAULT_RUNTIME,
        Platform.host(),
        sourceDateEpoch,
        Clock.fixed(NOW, ZoneOffset.UTC),
        ref ->
            switch (ref) {
              case SourceRef.StageRef s -> {
                BaseImage b = stages.get(s.index());
                if (b == null) {
                  throw BuildErrors.stageNotInBuild(s.index());
                }
                yield b;
              }
              case SourceRef.Scratch s ->
                  dev.jbuild.builder.exec.StoreImages.scratch(Platform.host());
              case SourceRef.ImageRef r -> throw new IOException("no registry in unit tests: " + r);
            });
  }

  /** An executor over fresh services, with the miss explainer of this engine's one Dockerfile. */
  public StepExecutor executor(boolean noCache) {
    return new StepExecutor(
        services(), progress, new MissExplainer(store, "unit-test-dockerfile"), noCache);
  }

  /** A stage result without layers, named by {@code key} (what --from and mounts read). */
  public static BaseImage emptyStage(String key) {
    return new BaseImage(
        dev.jbuild.layercache.model.ImageConfig.empty(Platform.host()),
        java.util.List.of(),
        Digest.sha256(key.getBytes(StandardCharsets.UTF_8)),
        Optional.empty());
  }

  /** A layer's entries: name -> content for files, "dir/" -> "" for directories, with modes. */
  public Map<String, TarArchiveEntry> entries(CacheRecord.Layer layer) throws IOException {
    Map<String, TarArchiveEntry> out = new TreeMap<>();
    try (InputStream in = Files.newInputStream(store.blobs().path(layer.blob().digest()));
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        out.put(e.getName(), e);
      }
    }
    return out;
  }

  /** A layer's regular files: name -> content. */
  public Map<String, String> files(CacheRecord.Layer layer) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (InputStream in = Files.newInputStream(store.blobs().path(layer.blob().digest()));
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
        if (e.isFile()) {
          out.put(e.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }
}
