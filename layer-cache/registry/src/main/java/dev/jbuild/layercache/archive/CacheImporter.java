package dev.jbuild.layercache.archive;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.BlobStore;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a build cache from wherever it is (a registry, an OCI layout directory) into the store: a
 * jbuild cache manifest ({@link RegistryCache#CONFIG_MEDIA_TYPE}), an index around one (as {@code
 * image-manifest=false} writes), or an image (or an index of images) carrying an inline cache in
 * its config ({@link InlineCache#CONFIG_KEY}). Everything read is untrusted: sizes are bounded,
 * blobs verified, every record's layer must be one the cache itself carries.
 */
final class CacheImporter {
  /** The config media type of BuildKit's registry and local caches ({@code cacheconfig.v0}). */
  static final String BUILDKIT_CACHE_CONFIG = "application/vnd.buildkit.cacheconfig.v0";

  /** The image config member of BuildKit's inline cache. */
  static final String BUILDKIT_INLINE_KEY = "moby.buildkit.cache.v0";

  /**
   * Why a cache BuildKit wrote cannot be used: its records are keyed by digests of BuildKit's LLB
   * operations (a JSON encoding of each op's protobuf as BuildKit's Dockerfile frontend generates
   * it, chained through BuildKit's content checksums of the files a step reads), not by anything
   * jbuild computes, so no jbuild step could ever find one of them.
   */
  static final String BUILDKIT_WHY =
      " keyed by BuildKit's LLB operation digests, which jbuild does not compute, so none of its"
          + " steps can match; export the cache with jbuild's --cache-to";

  /** Where the documents and blobs come from. */
  interface Source {
    /** The manifest or index {@code d} names, its bytes verified against its digest. */
    byte[] manifest(Descriptor d) throws IOException;

    /** Copies the blobs into the store (verified), those it has already skipped. */
    void fetch(List<Descriptor> blobs) throws IOException;

    /**
     * Makes the layer blobs the records use available: fetched now, or (a registry) recorded as
     * remote blobs of the store, fetched when a step needs their bytes.
     */
    default void defer(List<Descriptor> blobs) throws IOException {
      fetch(blobs);
    }

    /** An error about the cache: {@code detail} names what is wrong. */
    IOException invalid(String detail);
  }

  private final Store store;
  private final Source source;

  CacheImporter(Store store, Source source) {
    this.store = store;
    this.source = source;
  }

  /** Imports the cache whose top document is {@code bytes}; returns how many records were new. */
  int importTop(byte[] bytes) throws IOException {
    try {
      return importDocument(bytes);
    } catch (RuntimeException e) { // a malformed document: a JSON type, digest or bound
      throw source.invalid(e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  private int importDocument(byte[] bytes) throws IOException {
    JsonObject doc = parse(bytes);
    String type = mediaType(doc);
    if (MediaTypes.isIndex(type)) {
      ImageIndex index = ImageIndex.fromJson(doc).checkBounds("cache", 1);
      int added = 0;
      boolean any = false;
      for (Descriptor child : index.manifests()) {
        if (BUILDKIT_CACHE_CONFIG.equals(child.mediaType())) {
          throw source.invalid("a BuildKit cache (" + BUILDKIT_CACHE_CONFIG + ")," + BUILDKIT_WHY);
        }
      }
      for (Descriptor child : index.manifests()) {
        if (!MediaTypes.isManifest(child.mediaType())) {
          continue; // nested indexes and attestations carry no cache
        }
        Integer n = importManifest(ImageManifest.parse(source.manifest(child)));
        if (n != null) {
          any = true;
          added += n;
        }
      }
      if (!any) {
        throw source.invalid("no jbuild cache in the index");
      }
      return added;
    }
    Integer n = importManifest(ImageManifest.fromJson(doc));
    if (n == null) {
      throw source.invalid("not a jbuild cache (no cache records in its config)");
    }
    return n;
  }

  private static JsonObject parse(byte[] bytes) throws IOException {
    try {
      return Json.parseObject(bytes);
    } catch (RuntimeException e) {
      throw new IOException("invalid manifest: " + e.getMessage(), e);
    }
  }

  private static String mediaType(JsonObject doc) {
    String t = doc.string("mediaType");
    if (t != null) {
      return t;
    }
    return doc.array("manifests") != null ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
  }

  /** Records from a cache manifest or an image's inline cache; null when it has neither. */
  private Integer importManifest(ImageManifest m) throws IOException {
    Descriptor cfg = m.config();
    if (cfg.size() < 0 || cfg.size() > BlobStore.MAX_READ) {
      throw source.invalid("config " + cfg.digest() + " of " + cfg.size() + " bytes is too large");
    }
    if (BUILDKIT_CACHE_CONFIG.equals(cfg.mediaType())) {
      throw source.invalid("a BuildKit cache (" + BUILDKIT_CACHE_CONFIG + ")," + BUILDKIT_WHY);
    }
    boolean cacheConfig = RegistryCache.CONFIG_MEDIA_TYPE.equals(cfg.mediaType());
    if (!cacheConfig && !MediaTypes.isConfig(cfg.mediaType())) {
      return null;
    }
    source.fetch(List.of(cfg));
    JsonObject config = parse(store.blobs().read(cfg.digest()));
    if (cacheConfig) {
      return importCacheManifest(m, config);
    }
    JsonObject inline = config.object(InlineCache.CONFIG_KEY);
    if (inline == null && config.has(BUILDKIT_INLINE_KEY)) {
      throw source.invalid(
          "the image carries a BuildKit inline cache ("
              + BUILDKIT_INLINE_KEY
              + "),"
              + BUILDKIT_WHY);
    }
    if (inline == null) {
      return null;
    }
    return importInline(m, config, inline);
  }

  private int importCacheManifest(ImageManifest m, JsonObject config) throws IOException {
    Long version = config.longValue("version");
    if (version == null || version != RegistryCache.VERSION) {
      throw source.invalid("unsupported cache version " + version);
    }
    JsonArray layerInfo = config.array("layers");
    if (layerInfo == null || layerInfo.size() != m.layers().size()) {
      throw source.invalid("cache layers do not match its manifest");
    }
    source.defer(m.layers());
    Map<Digest, Descriptor> byDiffId = new LinkedHashMap<>();
    for (int i = 0; i < m.layers().size(); i++) {
      if (!(layerInfo.get(i) instanceof JsonObject o) || o.string("diffId") == null) {
        throw source.invalid("cache layers[" + i + "] has no diffId");
      }
      Digest diffId = Digest.parse(o.string("diffId"));
      store.layers().register(diffId, m.layers().get(i));
      byDiffId.put(diffId, m.layers().get(i));
    }
    return addRecords(records(config), byDiffId);
  }

  /** An inline cache: the records' layers are the image's, matched through rootfs.diff_ids. */
  private int importInline(ImageManifest m, JsonObject config, JsonObject inline)
      throws IOException {
    Long version = inline.longValue("version");
    if (version == null || version != InlineCache.VERSION) {
      throw source.invalid("unsupported inline cache version " + version);
    }
    JsonObject rootfs = config.object("rootfs");
    List<String> diffIds = rootfs == null ? null : rootfs.strings("diff_ids");
    if (diffIds == null || diffIds.size() != m.layers().size()) {
      throw source.invalid("image config diff_ids do not match its manifest");
    }
    Map<Digest, Descriptor> image = new LinkedHashMap<>();
    for (int i = 0; i < diffIds.size(); i++) {
      image.putIfAbsent(Digest.parse(diffIds.get(i)), m.layers().get(i));
    }
    JsonObject recs = records(inline);
    Set<Digest> used = new LinkedHashSet<>();
    for (String key : recs.keys()) {
      for (CacheRecord.Layer l : record(recs, key).layers()) {
        used.add(l.diffId());
      }
    }
    Map<Digest, Descriptor> byDiffId = new LinkedHashMap<>();
    List<Descriptor> blobs = new ArrayList<>();
    for (Digest d : used) {
      Descriptor blob = image.get(d);
      if (blob == null) {
        throw source.invalid("inline cache names layer " + d + " the image does not have");
      }
      byDiffId.put(d, blob);
      blobs.add(blob);
    }
    source.defer(blobs);
    for (var e : byDiffId.entrySet()) {
      store.layers().register(e.getKey(), e.getValue());
    }
    return addRecords(recs, byDiffId);
  }

  private JsonObject records(JsonObject o) throws IOException {
    JsonObject recs = o.object("records");
    if (recs == null) {
      throw source.invalid("cache has no records");
    }
    return recs;
  }

  private CacheRecord record(JsonObject recs, String key) throws IOException {
    try {
      return CacheRecord.fromJson(recs.object(key));
    } catch (RuntimeException e) {
      throw source.invalid("record " + key + ": " + e.getMessage());
    }
  }

  /** Writes each record the store lacks, its layers replaced by the imported blobs. */
  private int addRecords(JsonObject recs, Map<Digest, Descriptor> byDiffId) throws IOException {
    int added = 0;
    for (String key : recs.keys()) {
      CacheRecord r = record(recs, key);
      if (store.cache().get(key).isPresent()) {
        continue;
      }
      List<CacheRecord.Layer> layers = new ArrayList<>();
      for (CacheRecord.Layer l : r.layers()) {
        Descriptor blob = byDiffId.get(l.diffId());
        if (blob == null) {
          throw source.invalid("record " + key + " names a missing layer");
        }
        layers.add(new CacheRecord.Layer(blob, l.diffId()));
      }
      store
          .cache()
          .put(
              key,
              new CacheRecord(layers, r.configChange(), r.history(), r.created(), r.why())
                  .withoutReads());
      added++;
    }
    return added;
  }
}
