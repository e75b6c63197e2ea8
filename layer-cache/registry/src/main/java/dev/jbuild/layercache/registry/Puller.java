package dev.jbuild.layercache.registry;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.BlobInfo;
import dev.jbuild.layercache.store.BlobWriter;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Pulls images into a {@link Store}: resolves the reference (mirrors first), picks the platform's
 * manifest from an index, streams config and layers into blob writers that verify every byte
 * (layers in parallel on virtual threads), registers each layer's diffId with the layer store, and
 * only then stores the manifest and tags it. A failure at any point leaves no tag and no partial
 * blob (verified blobs already written stay, content-addressed, for the next try).
 */
public final class Puller {
  /** The largest image config accepted (also what the store reads into memory). */
  public static final long MAX_CONFIG_BYTES = dev.jbuild.layercache.store.BlobStore.MAX_READ;

  private final Store store;
  private final Registries registries;
  private final Progress progress;

  public Puller(Store store, Registries registries, Progress progress) {
    this.store = store;
    this.registries = registries;
    this.progress = progress;
  }

  /** What a pull gave: the platform's manifest as stored and tagged, and where it came from. */
  public record Result(Descriptor manifest, boolean fromStore, String source) {}

  /** Pulls {@code ref} for {@code platform}; returns the platform manifest's descriptor. */
  public Descriptor pull(ImageReference ref, Platform platform, PullOptions options)
      throws IOException {
    return pullDetailed(ref, platform, options).manifest();
  }

  public Result pullDetailed(ImageReference ref, Platform platform, PullOptions options)
      throws IOException {
    String tag = tagName(ref, options);
    if (!options.alwaysPull()) {
      Optional<Descriptor> local = fromStore(ref, tag, platform);
      if (local.isPresent()) {
        return new Result(local.get(), true, "store");
      }
    }
    return firstSource(
        ref,
        (source, raw) -> {
          Descriptor d = pullFrom(source, ref, raw, platform, options);
          if (options.lazyLayers() && !complete(d)) {
            progress.message("Digest: " + raw.digest());
            return new Result(d, false, source.describe());
          }
          if (tag != null) {
            store.images().tag(tag, d);
          } else {
            store.images().addUntagged(d);
          }
          progress.message("Digest: " + raw.digest());
          return new Result(d, false, source.describe());
        });
  }

  /** What a pull does with the top manifest {@code raw} of a reference, found at {@code source}. */
  interface FromSource<T> {
    T apply(Registries.Source source, RawManifest raw) throws IOException;
  }

  /**
   * Tries the pull sources of {@code ref} in order (mirrors first) and runs {@code action} with the
   * top manifest of the first that has it. A mirror that lacks it or fails is reported and the next
   * source tried (never past a digest mismatch); the registry itself failing ends the pull.
   */
  <T> T firstSource(ImageReference ref, FromSource<T> action) throws IOException {
    RegistryException last = null;
    for (Registries.Source source : registries.pullSources(ref)) {
      try {
        Optional<RawManifest> top =
            source.registry().getManifest(source.repository(), ref.tagOrDigest());
        if (top.isEmpty()) {
          last = RegistryErrors.imageNotFound(ref.familiarString());
          if (source.mirror()) {
            continue;
          }
          throw last;
        }
        return action.apply(source, top.get());
      } catch (RegistryException e) {
        if (!source.mirror() || e.kind() == RegistryException.Kind.DIGEST_MISMATCH) {
          throw e.kind() == RegistryException.Kind.CONNECTION
              ? RegistryErrors.whilePulling(ref.familiarString(), e)
              : e;
        }
        progress.message("mirror " + source.describe() + " failed: " + e.getMessage());
        last = e;
      }
    }
    throw last != null ? last : RegistryErrors.imageNotFound(ref.familiarString());
  }

  /**
   * {@code jbuild pull --all-platforms}: the whole index {@code ref} names and every image it lists
   * (nested indexes followed, bounded by {@link ImageIndex#MAX_DEPTH} and {@link
   * ImageIndex#MAX_MANIFESTS}), then the index is tagged. A reference to a single image pulls that
   * image. Always asks the registry; returns the index (or manifest) descriptor.
   */
  public Result pullAll(ImageReference ref, PullOptions options) throws IOException {
    String tag = tagName(ref, options);
    Descriptor d = fetchAll(ref, options);
    if (tag != null) {
      store.images().tag(tag, d);
    } else {
      store.images().addUntagged(d);
    }
    progress.message("Digest: " + d.digest());
    return new Result(d, false, "registry");
  }

  /**
   * What {@link #pullAll} fetches, without tagging anything: the index and every image of it (or
   * the one image). The content stays reachable only through what the caller makes of it.
   */
  public Descriptor fetchAll(ImageReference ref, PullOptions options) throws IOException {
    return new IndexPull(this).fetchAll(ref, options);
  }

  /**
   * The image of {@code ref} for {@code platform} (picked from an index), fetched into the store
   * without tagging: what {@code manifest add} of a registry reference needs.
   */
  public Descriptor fetch(ImageReference ref, Platform platform, PullOptions options)
      throws IOException {
    RegistryException last = null;
    for (Registries.Source source : registries.pullSources(ref)) {
      Optional<RawManifest> top =
          source.registry().getManifest(source.repository(), ref.tagOrDigest());
      if (top.isEmpty()) {
        last = RegistryErrors.imageNotFound(ref.familiarString());
        if (source.mirror()) {
          continue;
        }
        throw last;
      }
      return pullFrom(source, ref, top.get(), platform, options);
    }
    throw last != null ? last : RegistryErrors.imageNotFound(ref.familiarString());
  }

  /** The store name a pull tags: the familiar form ({@code debian:latest}), none for digests. */
  static String tagName(ImageReference ref, PullOptions options) {
    if (options.tagAs() != null) {
      return options.tagAs();
    }
    return ref.digest() != null ? null : ref.familiarString();
  }

  private Optional<Descriptor> fromStore(ImageReference ref, String tag, Platform platform)
      throws IOException {
    Digest wanted = ref.digest();
    if (wanted != null) {
      if (!store.blobs().has(wanted)) {
        return Optional.empty();
      }
      byte[] bytes = store.blobs().read(wanted);
      JsonObject doc = Json.parseObject(bytes);
      if (doc.has("manifests")) {
        Optional<Descriptor> chosen = ImageIndex.fromJson(doc).select(platform);
        if (chosen.isEmpty() || !complete(chosen.get())) {
          return Optional.empty();
        }
        return chosen.map(d -> d.withPlatform(null));
      }
      Descriptor d =
          Descriptor.of(
              doc.string("mediaType", MediaTypes.OCI_MANIFEST), wanted, store.blobs().size(wanted));
      return complete(d) && platformOf(d).map(p -> p.matches(platform)).orElse(false)
          ? Optional.of(d)
          : Optional.empty();
    }
    Optional<Descriptor> tagged = store.images().resolve(tag);
    if (tagged.isEmpty()) {
      return Optional.empty();
    }
    Descriptor d = tagged.get().withAnnotations(null);
    if (MediaTypes.isIndex(d.mediaType())) {
      // a multi-platform image in the store (pulled with --all-platforms, built, or a manifest
      // list): its image for the platform, when the store has it whole
      try {
        Optional<Descriptor> chosen = store.images().index(d.digest()).select(platform);
        return chosen.filter(this::complete).map(c -> c.withPlatform(null).withAnnotations(null));
      } catch (IOException | RuntimeException e) {
        return Optional.empty();
      }
    }
    if (!complete(d) || !platformOf(d).map(p -> p.matches(platform)).orElse(false)) {
      return Optional.empty();
    }
    return Optional.of(d);
  }

  private Optional<Platform> platformOf(Descriptor manifest) {
    try {
      ImageManifest m = store.images().manifest(manifest.digest());
      return Optional.of(store.images().config(m.config().digest()).platform());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The manifest, its config and all its layers are in the store. */
  private boolean complete(Descriptor manifest) {
    return store.images().complete(manifest);
  }

  private Descriptor pullFrom(
      Registries.Source source,
      ImageReference ref,
      RawManifest top,
      Platform platform,
      PullOptions options)
      throws IOException {
    RawManifest manifest = top;
    String type = detectType(top);
    if (MediaTypes.isIndex(type)) {
      ImageIndex index = ImageIndex.parse(top.bytes());
      Descriptor chosen =
          index
              .select(platform)
              .orElseThrow(
                  () ->
                      RegistryErrors.noMatchingPlatform(
                          ref.familiarString(),
                          platform.toString(),
                          index.manifests().stream()
                              .map(d -> d.platform() == null ? "?" : d.platform().toString())
                              .collect(Collectors.joining(", "))));
      manifest =
          source
              .registry()
              .getManifest(source.repository(), chosen.digest().toString())
              .orElseThrow(
                  () ->
                      RegistryErrors.protocol(
                          source.registry().host(),
                          "index of "
                              + ref.familiarString()
                              + " names "
                              + chosen.digest()
                              + " but the registry does not have it"));
      type = detectType(manifest);
      // keep the index too, so a later pull by the index digest is served from the store
      storeVerified(top, options.alwaysPull());
    }
    return pullImage(source, ref.familiarString(), manifest, type, false, options);
  }

  /**
   * Config, layers and manifest of one image manifest {@code manifest} (already fetched, of media
   * type {@code type}); returns its descriptor. With {@code artifacts} (an index's entries), a
   * manifest whose config is not an image config (an attestation, a signature) is stored with its
   * blobs as they are.
   */
  Descriptor pullImage(
      Registries.Source source,
      String name,
      RawManifest manifest,
      String type,
      boolean artifacts,
      PullOptions options)
      throws IOException {
    if (MediaTypes.isSchema1(type)) {
      throw RegistryErrors.protocol(
          source.registry().host(),
          name + " is a Docker schema 1 image, which jbuild does not support");
    }
    if (!MediaTypes.isManifest(type)) {
      throw RegistryErrors.protocol(
          source.registry().host(), name + " is not an image (media type " + type + ")");
    }
    ImageManifest m;
    try {
      m = ImageManifest.parse(manifest.bytes());
    } catch (IllegalArgumentException e) {
      throw RegistryErrors.protocol(
          source.registry().host(), "invalid manifest for " + name + ": " + e.getMessage());
    }
    long configSize = m.config().size();
    if (configSize < 0 || configSize > MAX_CONFIG_BYTES) {
      // refused before a byte is fetched; the download is held to the declared size
      throw RegistryErrors.configTooLarge(
          source.registry().host(), name, m.config().digest(), configSize);
    }
    fetchBlob(source, m.config(), "config", options.alwaysPull());
    if (artifacts && !MediaTypes.isConfig(m.config().mediaType())) {
      // an artifact (an attestation, a signature): its blobs as they are, no layers to register
      fetchLayers(source, m.layers(), options.parallelism(), options.alwaysPull());
      storeVerified(manifest, options.alwaysPull());
      return Descriptor.of(type, manifest.digest(), manifest.size());
    }
    ImageConfig config;
    try {
      config = store.images().config(m.config().digest());
    } catch (IOException | IllegalArgumentException e) {
      throw RegistryErrors.protocol(
          source.registry().host(), "invalid image config of " + name + ": " + e.getMessage());
    }
    List<Digest> diffIds = config.diffIds();
    if (diffIds.size() != m.layers().size()) {
      throw RegistryErrors.protocol(
          source.registry().host(),
          name
              + ": the config lists "
              + diffIds.size()
              + " diff_ids for "
              + m.layers().size()
              + " layers");
    }
    if (options.lazyLayers()) {
      String from = RegistryBlobFetcher.source(source);
      for (Descriptor layer : m.layers()) {
        store.remote().record(layer, from);
      }
    } else {
      fetchLayers(source, m.layers(), options.parallelism(), options.alwaysPull());
    }
    for (int i = 0; i < diffIds.size(); i++) {
      store.layers().register(diffIds.get(i), m.layers().get(i));
    }
    storeVerified(manifest, options.alwaysPull());
    return Descriptor.of(type, manifest.digest(), manifest.size());
  }

  void storeVerified(RawManifest raw, boolean repair) throws IOException {
    if (store.blobs().has(raw.digest())
        && !(repair && store.blobs().removeIfCorrupt(raw.digest()))) {
      return;
    }
    try (BlobWriter w = store.blobs().newWriter()) {
      w.write(raw.bytes());
      w.commit(raw.digest());
    }
  }

  /** The media type: the registry's Content-Type, else the document's own mediaType or shape. */
  static String detectType(RawManifest raw) {
    String t = raw.mediaType();
    if (MediaTypes.isIndex(t) || MediaTypes.isManifest(t) || MediaTypes.isSchema1(t)) {
      return t;
    }
    try {
      JsonObject doc = Json.parseObject(raw.bytes());
      String own = doc.string("mediaType");
      if (own != null) {
        return own;
      }
      if (doc.has("manifests")) {
        return MediaTypes.OCI_INDEX;
      }
      if (doc.has("fsLayers")) {
        return MediaTypes.DOCKER_MANIFEST_V1;
      }
      return MediaTypes.OCI_MANIFEST;
    } catch (RuntimeException e) {
      return t;
    }
  }

  private void fetchLayers(
      Registries.Source source, List<Descriptor> layers, int parallelism, boolean repair)
      throws IOException {
    ParallelTransfers.run(
        layers,
        parallelism,
        layer -> {
          fetchBlob(source, layer, "Downloading", repair);
          return null;
        });
  }

  /**
   * Fetches a blob the store lacks. With {@code repair} ({@code jbuild pull}) a blob the store has
   * is re-hashed first and fetched again when it does not verify (a corrupt copy is deleted).
   */
  private void fetchBlob(Registries.Source source, Descriptor blob, String action, boolean repair)
      throws IOException {
    String id = blob.digest().shortHex();
    if (repair && store.blobs().removeIfCorrupt(blob.digest())) {
      progress.message(id + ": the stored copy is corrupt; fetching it again");
    }
    if (store.blobs().has(blob.digest())) {
      if (!action.equals("config")) {
        progress.done(id, "Already exists");
      }
      return;
    }
    boolean show = !action.equals("config");
    // the registry client retries and resumes a broken transfer itself (Range requests)
    fetchOnce(source, blob, action, id, show);
  }

  private void fetchOnce(
      Registries.Source source, Descriptor blob, String action, String id, boolean show)
      throws IOException {
    if (show) {
      progress.start(id, action, blob.size());
    }
    try (BlobWriter w = store.blobs().newWriter()) {
      source
          .registry()
          .getBlob(
              source.repository(),
              blob.digest(),
              blob.size(),
              w,
              n -> {
                if (show) {
                  progress.advance(id, n);
                }
              });
      BlobInfo info = w.commit(blob.digest());
      if (info.size() != blob.size()) {
        throw RegistryErrors.sizeMismatch(
            source.registry().host(), source.repository(), blob.digest(), blob.size(), info.size());
      }
    }
    if (show) {
      progress.done(id, "Pull complete");
    }
  }
}
