package dev.jbuild.builder.exec;

import dev.jbuild.builder.core.BaseImage;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.builder.progress.Progress;
import dev.jbuild.builder.progress.Step;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.registry.PullOptions;
import dev.jbuild.layercache.registry.Puller;
import dev.jbuild.layercache.registry.Registries;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Base images from the store, pulled from their registry when the store lacks them (or always, with
 * --pull). Concurrent requests for one reference (parallel stages on one base) pull it once.
 *
 * <p>With {@code lazy} (a build importing a cache) a pull fetches the manifest and config only: the
 * layers become remote blobs of the store, fetched when a step needs the base's files or the final
 * image contains them, so a stage whose steps are all cached never downloads its base (as
 * BuildKit). Such an image is not tagged (an image in the store's index has all its blobs); {@link
 * LazyBases} remembers it for the next builds, which use it without asking the registry as they
 * would use a tag.
 */
public final class RegistryImages implements ImageResolver {
  private final Store store;
  private final Registries registries;
  private final boolean lazy;
  private final LazyBases remembered;
  private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

  public RegistryImages(Store store, Registries registries) {
    this(store, registries, false);
  }

  public RegistryImages(Store store, Registries registries, boolean lazy) {
    this.store = store;
    this.registries = registries;
    this.lazy = lazy;
    this.remembered = new LazyBases(store);
  }

  @Override
  public boolean pullsLazily() {
    return lazy;
  }

  @Override
  public BaseImage resolve(
      String reference, Platform platform, boolean pull, Progress progress, Step shown)
      throws IOException, StepFailure {
    ImageReference ref;
    try {
      ref = ImageReference.parse(reference);
    } catch (IllegalArgumentException e) {
      throw BuildErrors.invalidImageReference(reference, e.getMessage());
    }
    synchronized (locks.computeIfAbsent(ref.toString() + "@" + platform, k -> new Object())) {
      Optional<BaseImage> local = pull ? Optional.empty() : storedIndex(ref, platform);
      if (local.isEmpty()
          && !pull
          && (ref.digest() != null || store.images().resolve(ref.familiarString()).isEmpty())) {
        // a tag in the store wins (a later `jbuild pull` moved it): the puller reads it
        local = remembered.find(ref, platform);
      }
      if (local.isPresent()) {
        if (shown.id() > 0) {
          progress.cached(shown);
        }
        return local.get();
      }
      long t0 = System.nanoTime();
      Puller puller = new Puller(store, registries, new PullLines(progress, shown));
      Puller.Result r =
          puller.pullDetailed(
              ref, platform, PullOptions.defaults().withAlwaysPull(pull).withLazyLayers(lazy));
      BaseImage base = StoreImages.load(store, r.manifest(), platform);
      if (lazy && !r.fromStore() && !store.images().complete(r.manifest())) {
        remembered.remember(ref, platform, r.manifest());
      }
      if (shown.id() > 0) {
        if (r.fromStore()) {
          progress.cached(shown);
        } else {
          progress.finished(
              shown, Duration.ofNanos(System.nanoTime() - t0), "pulled from " + r.source());
        }
      }
      return base;
    }
  }

  /**
   * The platform's image of a multi-platform image in the store (what a multi-platform build
   * tagged), which the puller, looking for a tagged manifest, would look for in the registry; an
   * index without the platform is an error naming the platforms it has. Empty when the name is not
   * a stored index, or the chosen image is incomplete.
   */
  private Optional<BaseImage> storedIndex(ImageReference ref, Platform platform)
      throws IOException, StepFailure {
    if (ref.digest() != null) {
      return Optional.empty();
    }
    Optional<Descriptor> d = store.images().resolve(ref.familiarString());
    if (d.isEmpty() || !MediaTypes.isIndex(d.get().mediaType())) {
      return Optional.empty();
    }
    ImageIndex index = store.images().index(d.get().digest());
    Optional<Descriptor> chosen = index.select(platform);
    if (chosen.isEmpty()) {
      throw BuildErrors.noPlatformInIndex(
          ref.familiarString(),
          platform,
          index.manifests().stream()
              .map(m -> m.platform() == null ? "?" : m.platform().toString())
              .toList());
    }
    if (!store.images().complete(chosen.get())) {
      return Optional.empty();
    }
    return Optional.of(StoreImages.load(store, chosen.get().withPlatform(null), platform));
  }

  /** Pull progress as output lines of the FROM step. */
  private static final class PullLines implements dev.jbuild.layercache.registry.Progress {
    private final Progress progress;
    private final Step step;
    private final ConcurrentHashMap<String, AtomicLong> sizes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicLong> received = new ConcurrentHashMap<>();
    private boolean started;

    PullLines(Progress progress, Step step) {
      this.progress = progress;
      this.step = step;
    }

    private synchronized void ensureStarted() {
      if (!started && step.id() > 0) {
        started = true;
        progress.started(step);
      }
    }

    @Override
    public void start(String id, String action, long total) {
      ensureStarted();
      sizes.put(id, new AtomicLong(total));
      received.put(id, new AtomicLong());
      if (step.id() > 0) {
        progress.status(step, id, 0, total, false);
      }
    }

    @Override
    public void advance(String id, long bytes) {
      AtomicLong got = received.get(id);
      AtomicLong size = sizes.get(id);
      if (got != null && step.id() > 0) {
        progress.status(step, id, got.addAndGet(bytes), size == null ? -1 : size.get(), false);
      }
    }

    @Override
    public void done(String id, String status) {
      if (step.id() > 0) {
        AtomicLong size = sizes.get(id);
        AtomicLong got = received.get(id);
        if (got != null) {
          long total = size == null ? -1 : size.get();
          progress.status(step, id, total >= 0 ? total : got.get(), total, true);
        }
        String s =
            size == null || size.get() < 0
                ? ""
                : String.format(Locale.ROOT, " %.1fMB", size.get() / 1e6);
        progress.output(step, id + ": " + status + s);
      }
    }

    @Override
    public void message(String line) {
      if (step.id() > 0) {
        ensureStarted();
        progress.output(step, line);
      }
    }
  }
}
