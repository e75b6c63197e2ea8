package dev.jbuild.layercache.archive;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.registry.Progress;
import dev.jbuild.layercache.registry.PushOptions;
import dev.jbuild.layercache.registry.Pusher;
import dev.jbuild.layercache.registry.RawManifest;
import dev.jbuild.layercache.registry.Registries;
import dev.jbuild.layercache.registry.Registry;
import dev.jbuild.layercache.registry.RegistryBlobFetcher;
import dev.jbuild.layercache.registry.RegistryErrors;
import dev.jbuild.layercache.store.BlobInfo;
import dev.jbuild.layercache.store.BlobWriter;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * The registry cache for CI ({@code --cache-to type=registry,ref=R}, {@code --cache-from
 * type=registry,ref=R}): build cache records travel as an OCI manifest whose config is a JSON
 * document of the records ({@link #CONFIG_MEDIA_TYPE}) and whose layers are the records' layer
 * blobs (compressed like any push). Importing fetches the config, records the layer blobs as remote
 * blobs of the store (fetched, verified, when a step needs their bytes), registers their diffIds
 * and writes the records into the local store, so every recorded step is a cache hit on a machine
 * that never built it. The format is documented in the layer-cache README.
 */
public final class RegistryCache {
  public static final String CONFIG_MEDIA_TYPE = "application/vnd.jbuild.cache.config.v1+json";
  public static final int VERSION = 1;

  private final Store store;
  private final Registries registries;
  private final Progress progress;

  public RegistryCache(Store store, Registries registries, Progress progress) {
    this.store = store;
    this.registries = registries;
    this.progress = progress;
  }

  /** Pushes {@code records} (cache key -> record) as {@code ref}; returns the manifest digest. */
  public Digest export(Map<String, CacheRecord> records, ImageReference ref, PushOptions options)
      throws IOException {
    return export(records, ref, options, true, true);
  }

  /**
   * Pushes {@code records} as {@code ref}: the cache manifest itself ({@code imageManifest}), or an
   * image index holding it (BuildKit's {@code image-manifest=false}), in OCI media types or, for an
   * index only, Docker's ({@code ociMediaTypes=false}: a manifest list around a schema 2 manifest).
   * Returns the digest pushed as {@code ref}.
   */
  public Digest export(
      Map<String, CacheRecord> records,
      ImageReference ref,
      PushOptions options,
      boolean imageManifest,
      boolean ociMediaTypes)
      throws IOException {
    if (imageManifest && !ociMediaTypes) {
      throw new IllegalArgumentException("image-manifest=true needs oci-mediatypes=true");
    }
    ImageManifest manifest = manifest(store, records);
    if (!ociMediaTypes) {
      manifest = manifest.toDocker();
    }
    Descriptor d = store.images().putManifest(manifest);
    if (!imageManifest) {
      ImageIndex index = ImageIndex.of(List.of(d));
      d = store.images().putIndex(ociMediaTypes ? index.toOci() : index.toDocker());
    }
    return new Pusher(store, registries, progress).push(d, ref, options).digest();
  }

  /**
   * The cache manifest of {@code records} (OCI, layers as stored), its config written into the
   * store: see the README for the format.
   */
  static ImageManifest manifest(Store store, Map<String, CacheRecord> records) throws IOException {
    Map<Digest, Descriptor> layers = new LinkedHashMap<>();
    JsonObject.Builder recs = JsonObject.builder();
    for (var e : records.entrySet()) {
      for (CacheRecord.Layer l : e.getValue().layers()) {
        layers.putIfAbsent(l.diffId(), l.blob().withAnnotations(null).withPlatform(null));
      }
      recs.put(e.getKey(), e.getValue().toJson());
    }
    var layerInfo = new ArrayList<Json>();
    for (Digest diffId : layers.keySet()) {
      layerInfo.add(JsonObject.builder().put("diffId", diffId.toString()).build());
    }
    JsonObject config =
        JsonObject.builder()
            .put("version", VERSION)
            .put("layers", new JsonArray(layerInfo))
            .put("records", recs.build())
            .build();
    BlobInfo configBlob = store.blobs().put(config.toBytes());
    return ImageManifest.of(
            configBlob.toDescriptor(CONFIG_MEDIA_TYPE), new ArrayList<>(layers.values()))
        .toOci();
  }

  /**
   * Imports the records at {@code ref} into the store; returns how many were new. Records the store
   * already has are kept as they are. {@code ref} may name a jbuild cache manifest, an index around
   * one, or an image (or index of images) pushed with an inline cache ({@link InlineCache}).
   */
  public int importFrom(ImageReference ref) throws IOException {
    Registries.Source source = registries.pushTarget(ref);
    Registry registry = source.registry();
    RawManifest raw =
        registry
            .getManifest(source.repository(), ref.tagOrDigest())
            .orElseThrow(() -> RegistryErrors.imageNotFound(ref.familiarString()));
    CacheImporter.Source from =
        new CacheImporter.Source() {
          @Override
          public byte[] manifest(Descriptor d) throws IOException {
            RawManifest m =
                registry
                    .getManifest(source.repository(), d.digest().toString())
                    .orElseThrow(
                        () ->
                            RegistryErrors.imageNotFound(ref.familiarString() + "@" + d.digest()));
            if (!m.digest().equals(d.digest())) {
              throw invalid("manifest " + d.digest() + " came back as " + m.digest());
            }
            return m.bytes();
          }

          @Override
          public void fetch(List<Descriptor> blobs) throws IOException {
            fetchAll(source, blobs);
          }

          @Override
          public void defer(List<Descriptor> blobs) throws IOException {
            String from = RegistryBlobFetcher.source(source);
            for (Descriptor b : blobs) {
              store.remote().record(b, from);
            }
          }

          @Override
          public IOException invalid(String detail) {
            return RegistryErrors.protocol(registry.host(), ref.familiarString() + ": " + detail);
          }
        };
    int added = new CacheImporter(store, from).importTop(raw.bytes());
    progress.message("Imported " + added + " cache records from " + ref.familiarString());
    return added;
  }

  private void fetchAll(Registries.Source source, List<Descriptor> blobs) throws IOException {
    Semaphore permits = new Semaphore(4);
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Void>> futures = new ArrayList<>();
      for (Descriptor b : blobs) {
        futures.add(
            executor.submit(
                () -> {
                  permits.acquire();
                  try {
                    fetch(source, b);
                  } finally {
                    permits.release();
                  }
                  return null;
                }));
      }
      for (Future<Void> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          futures.forEach(x -> x.cancel(true));
          throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }
    }
  }

  private void fetch(Registries.Source source, Descriptor blob) throws IOException {
    if (store.blobs().has(blob.digest())) {
      return;
    }
    String id = blob.digest().shortHex();
    progress.start(id, "Downloading", blob.size());
    try (BlobWriter w = store.blobs().newWriter()) {
      source
          .registry()
          .getBlob(
              source.repository(), blob.digest(), blob.size(), w, n -> progress.advance(id, n));
      w.commit(blob.digest());
    }
    progress.done(id, "Download complete");
  }
}
