package dev.jbuild.layercache.store;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.MediaTypes;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Garbage collection. Roots: tagged index.json entries, cache records used within the keep age, and
 * the files in {@code gcroots/}. Everything reachable from them (index -> manifests -> config and
 * layer blobs -> diff IDs -> unpacked layers and registrations) stays; dangling images, old cache
 * records and whatever nothing reaches go. Prune holds the exclusive store lock, so it never races
 * a build.
 */
public final class Gc {
  private final Store store;

  Gc(Store store) {
    this.store = store;
  }

  /** Untagged images (Docker's dangling {@code <none>} images). */
  public List<Descriptor> danglingImages() throws IOException {
    return store.images().dangling();
  }

  /** Runs a prune under the exclusive lock (a dry run takes the shared lock). */
  public PruneReport prune(PruneOptions options) throws IOException {
    StoreLock lock = options.dryRun() ? store.lockShared() : store.lockExclusive();
    try {
      return pruneLocked(options);
    } finally {
      lock.close();
    }
  }

  /** What uses the space, and what a default prune would free. */
  public DiskUsage df() throws IOException {
    Reach all = new Reach();
    List<Descriptor> entries = store.images().list();
    for (Descriptor d : entries) {
      walk(d, all);
    }
    Reach tagged = new Reach();
    for (Descriptor d : entries) {
      if (d.refName() != null) {
        walk(d, tagged);
      }
    }
    PruneReport dry = pruneLocked(PruneOptions.defaults().withDryRun(true));
    BlobStore blobs = store.blobs();
    long imageBytes = sizeOf(all.blobs);
    Set<Digest> cacheOnly = new HashSet<>();
    long cacheFiles = 0;
    List<String> keys = store.cache().keys();
    for (String k : keys) {
      cacheFiles += store.cache().fileSize(k);
      CacheRecord r = store.cache().readFile(k);
      if (r != null) {
        for (CacheRecord.Layer l : r.layers()) {
          if (!all.blobs.contains(l.blob().digest()) && blobs.has(l.blob().digest())) {
            cacheOnly.add(l.blob().digest());
          }
        }
      }
    }
    long cacheBytes = sizeOf(cacheOnly) + cacheFiles;
    List<Digest> layers = store.layers().listUnpacked();
    long layerBytes = 0;
    int activeLayers = 0;
    Set<Digest> removedLayers = new HashSet<>(dry.removedLayers());
    for (Digest l : layers) {
      layerBytes += store.layers().unpackedSize(l);
      if (!removedLayers.contains(l)) {
        activeLayers++;
      }
    }
    Set<Digest> referenced = new HashSet<>(all.blobs);
    referenced.addAll(cacheOnly);
    List<Digest> stored = blobs.list();
    int orphanCount = 0;
    long orphanBytes = 0;
    for (Digest b : stored) {
      if (!referenced.contains(b)) {
        orphanCount++;
        orphanBytes += sizeOf(Set.of(b));
      }
    }
    int imageCount = (int) entries.stream().map(Descriptor::digest).distinct().count();
    int taggedCount =
        (int)
            entries.stream()
                .filter(d -> d.refName() != null)
                .map(Descriptor::digest)
                .distinct()
                .count();
    return new DiskUsage(
        new DiskUsage.Row("Images", imageCount, taggedCount, imageBytes, dry.imageBlobBytes()),
        new DiskUsage.Row("Layers", layers.size(), activeLayers, layerBytes, dry.layerBytes()),
        new DiskUsage.Row(
            "Build cache",
            keys.size(),
            keys.size() - dry.removedCacheKeys().size(),
            cacheBytes,
            dry.cacheBlobBytes() + dry.cacheRecordBytes()),
        new DiskUsage.Row("Unreferenced blobs", orphanCount, 0, orphanBytes, orphanBytes));
  }

  private PruneReport pruneLocked(PruneOptions options) throws IOException {
    boolean dry = options.dryRun();
    ImageStore images = store.images();
    BlobStore blobs = store.blobs();
    LayerStore layers = store.layers();
    CacheRecords cache = store.cache();

    // 1. dangling images leave the index
    List<Descriptor> entries = images.list();
    List<Descriptor> removedImages = entries.stream().filter(d -> d.refName() == null).toList();
    if (!dry && !removedImages.isEmpty()) {
      images.update(
          list -> {
            List<Descriptor> out = new ArrayList<>(list);
            out.removeIf(d -> d.refName() == null);
            return out;
          });
    }
    // 2. reachability from the remaining roots
    Reach live = new Reach();
    for (Descriptor d : images.list()) {
      if (dry && d.refName() == null) {
        continue;
      }
      walk(d, live);
    }
    Reach droppedImages = new Reach();
    for (Descriptor d : removedImages) {
      walk(d, droppedImages);
    }
    readGcRoots(live);
    Instant cutoff = Instant.now().minus(options.keepCache());
    List<String> removedKeys = new ArrayList<>();
    Set<Digest> droppedCacheBlobs = new HashSet<>();
    long recordBytes = 0;
    for (String key : cache.keys()) {
      CacheRecord r = cache.readFile(key);
      Instant used = cache.lastUsed(key);
      boolean broken =
          r == null || r.layers().stream().anyMatch(l -> !available(l.blob().digest()));
      boolean old = options.allCache() || used == null || used.isBefore(cutoff);
      if (broken || old) {
        removedKeys.add(key);
        recordBytes += cache.fileSize(key);
        if (r != null) {
          r.layers().forEach(l -> droppedCacheBlobs.add(l.blob().digest()));
        }
        if (!dry) {
          cache.remove(key);
        }
      } else {
        for (CacheRecord.Layer l : r.layers()) {
          live.blobs.add(l.blob().digest());
          live.diffIds.add(l.diffId());
        }
      }
    }
    // 3. blobs
    List<Digest> removedBlobs = new ArrayList<>();
    long blobBytes = 0;
    long imageBytes = 0;
    long cacheBytes = 0;
    for (Digest b : blobs.list()) {
      if (live.blobs.contains(b) || live.diffIds.contains(b)) {
        continue;
      }
      long size = sizeOf(Set.of(b));
      if (dry || blobs.delete(b)) {
        removedBlobs.add(b);
        blobBytes += size;
        if (droppedImages.blobs.contains(b)) {
          imageBytes += size;
        } else if (droppedCacheBlobs.contains(b)) {
          cacheBytes += size;
        }
      }
    }
    // remote blobs: kept while a live cache record uses them and the store does not hold them
    RemoteBlobs remote = store.remote();
    if (!dry) {
      for (Digest d : remote.list()) {
        if (!live.blobs.contains(d) || blobs.has(d)) {
          remote.remove(d);
        }
      }
      for (Path stray : remote.strayFiles()) {
        Files.deleteIfExists(stray);
      }
    }
    // 4. unpacked layers and registrations
    List<Digest> removedLayers = new ArrayList<>();
    long layerBytes = 0;
    for (Digest l : layers.listUnpacked()) {
      if (!live.diffIds.contains(l)) {
        long size = layers.unpackedSize(l);
        if (dry || layers.removeUnpacked(l)) {
          removedLayers.add(l);
          layerBytes += size;
        }
      }
    }
    if (!dry) {
      for (Path stray : layers.strayEntries()) {
        layers.removeEntry(stray);
      }
      for (Digest diffId : layers.registeredDiffIds()) {
        Path dir = layers.registrationDir(diffId);
        if (!live.diffIds.contains(diffId)) {
          AtomicFiles.deleteTree(dir);
          continue;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
          for (Path f : ds) {
            String name = f.getFileName().toString().replaceFirst("-", ":");
            if (!Digest.isValid(name)
                || !blobs.has(Digest.parse(name)) && remote.get(Digest.parse(name)).isEmpty()) {
              Files.deleteIfExists(f);
            }
          }
        }
      }
      TempSpace.sweep(store.root().resolve("tmp"));
    }
    return new PruneReport(
        removedImages,
        removedKeys,
        removedBlobs,
        blobBytes,
        imageBytes,
        cacheBytes,
        recordBytes,
        removedLayers,
        layerBytes);
  }

  /** The blob is in the store, or remote and fetchable ({@link RemoteBlobs}). */
  private boolean available(Digest d) {
    try {
      return store.remote().available(d);
    } catch (IOException e) {
      return false;
    }
  }

  /** Blobs and diff IDs reached. */
  private static final class Reach {
    final Set<Digest> blobs = new HashSet<>();
    final Set<Digest> diffIds = new HashSet<>();
  }

  /** Marks a descriptor's content; missing or malformed blobs end the walk quietly. */
  private void walk(Descriptor d, Reach reach) throws IOException {
    Digest digest = d.digest();
    if (!reach.blobs.add(digest) || !store.blobs().has(digest)) {
      return;
    }
    String mt = d.mediaType();
    try {
      if (MediaTypes.isIndex(mt)) {
        ImageIndex idx = store.images().index(digest);
        for (Descriptor m : idx.manifests()) {
          walk(m, reach);
        }
      } else if (MediaTypes.isManifest(mt)) {
        ImageManifest m = store.images().manifest(digest);
        reach.blobs.add(m.config().digest());
        m.layers().forEach(l -> reach.blobs.add(l.digest()));
        if (m.subject() != null) {
          reach.blobs.add(m.subject().digest());
        }
        if (store.blobs().has(m.config().digest()) && MediaTypes.isConfig(m.config().mediaType())) {
          ImageConfig c = store.images().config(m.config().digest());
          List<Digest> ids = c.diffIds();
          reach.diffIds.addAll(ids);
          if (ids.size() == m.layers().size()) {
            for (int i = 0; i < ids.size(); i++) {
              if (store.blobs().has(m.layers().get(i).digest())) {
                store.layers().register(ids.get(i), m.layers().get(i));
              }
            }
          }
        }
      }
    } catch (IOException e) {
      if (!(e.getCause() instanceof IllegalArgumentException)) {
        throw e;
      }
      // a malformed document reaches nothing more
    }
  }

  /** Files in gcroots/: {"digests":["sha256:..."]}; each digest is a blob or a diff ID. */
  private void readGcRoots(Reach reach) throws IOException {
    Path dir = store.gcRootsDir();
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path f : ds) {
        List<String> digests;
        try {
          JsonObject o = Json.parseObject(Files.readAllBytes(f));
          digests = o.strings("digests");
        } catch (IllegalArgumentException e) {
          continue;
        }
        if (digests == null) {
          continue;
        }
        for (String s : digests) {
          if (!Digest.isValid(s)) {
            continue;
          }
          Digest d = Digest.parse(s);
          reach.diffIds.add(d);
          if (store.blobs().has(d)) {
            String mt = guessMediaType(d);
            walk(Descriptor.of(mt, d, store.blobs().size(d)), reach);
          }
        }
      }
    }
  }

  private String guessMediaType(Digest d) throws IOException {
    long size = store.blobs().size(d);
    if (size > 4 * 1024 * 1024) {
      return MediaTypes.OCI_LAYER;
    }
    try (var in = store.blobs().open(d)) {
      int first = in.read();
      if (first != '{') {
        return MediaTypes.OCI_LAYER;
      }
    }
    try {
      JsonObject o = Json.parseObject(store.blobs().read(d));
      return ImageIndex.detectMediaType(o);
    } catch (IllegalArgumentException e) {
      return MediaTypes.OCI_LAYER;
    }
  }

  private long sizeOf(Set<Digest> digests) {
    long total = 0;
    for (Digest d : digests) {
      try {
        total += Files.size(store.blobs().path(d));
      } catch (IOException e) {
        // gone
      }
    }
    return total;
  }
}
