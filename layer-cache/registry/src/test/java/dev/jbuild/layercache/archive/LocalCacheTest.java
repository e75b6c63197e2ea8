package dev.jbuild.layercache.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.History;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.MediaTypes.LayerCompression;
import dev.jbuild.layercache.registry.PushOptions;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.RandomImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local cache directory: written as an OCI layout, read back on a fresh store, hostile input.
 */
class LocalCacheTest {
  @TempDir Path tmp;

  private Map<String, CacheRecord> records(Store store) throws IOException {
    var image = RandomImages.small(store, "built:1", 9);
    ImageManifest m = store.images().manifest(image.digest());
    List<Digest> diffIds = RandomImages.diffIds(store, image);
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    Map<String, CacheRecord> records = new LinkedHashMap<>();
    records.put(
        "a".repeat(64),
        new CacheRecord(
            List.of(new CacheRecord.Layer(m.layers().get(0), diffIds.get(0))),
            JsonObject.EMPTY,
            History.of(t, "RUN make", null, false),
            t,
            Map.of()));
    records.put(
        "b".repeat(64),
        new CacheRecord(
            List.of(new CacheRecord.Layer(m.layers().get(1), diffIds.get(1))),
            JsonObject.EMPTY,
            History.of(t, "COPY . /src", null, false),
            t,
            Map.of()));
    records.put(
        "c".repeat(64),
        new CacheRecord(
            List.of(), JsonObject.EMPTY, History.of(t, "ENV A=1", null, true), t, null));
    for (var e : records.entrySet()) {
      store.cache().put(e.getKey(), e.getValue());
    }
    return records;
  }

  private static ImageManifest cacheManifest(Path dir) throws IOException {
    ImageIndex index = ImageIndex.parse(Files.readAllBytes(dir.resolve("index.json")));
    assertEquals(1, index.manifests().size());
    Descriptor top = index.manifests().getFirst();
    assertEquals(LocalCache.TAG, top.annotation(MediaTypes.ANNOTATION_REF_NAME));
    byte[] bytes = Files.readAllBytes(dir.resolve("blobs/sha256/" + top.digest().hex()));
    assertEquals(top.digest(), Digest.sha256(bytes));
    if (MediaTypes.isIndex(top.mediaType())) {
      Descriptor child = ImageIndex.parse(bytes).manifests().getFirst();
      bytes = Files.readAllBytes(dir.resolve("blobs/sha256/" + child.digest().hex()));
    }
    return ImageManifest.parse(bytes);
  }

  @Test
  void writtenAsAnOciLayoutAndReadBackOnAFreshStore() throws Exception {
    Path dir = tmp.resolve("cache");
    Map<String, CacheRecord> records;
    try (Store store = Store.open(tmp.resolve("a"))) {
      records = records(store);
      new LocalCache(store).export(records, dir, PushOptions.defaults(), true);
    }
    JsonObject layout = Json.parseObject(Files.readAllBytes(dir.resolve("oci-layout")));
    assertEquals("1.0.0", layout.string("imageLayoutVersion"));
    ImageManifest m = cacheManifest(dir);
    assertEquals(RegistryCache.CONFIG_MEDIA_TYPE, m.config().mediaType());
    assertEquals(2, m.layers().size());
    for (Descriptor l : m.layers()) {
      assertEquals(LayerCompression.GZIP, MediaTypes.layerCompression(l.mediaType()));
      Path blob = dir.resolve("blobs/sha256/" + l.digest().hex());
      assertEquals(l.size(), Files.size(blob));
      assertEquals(l.digest(), Digest.sha256(Files.readAllBytes(blob)));
    }
    try (Store fresh = Store.open(tmp.resolve("b"))) {
      assertEquals(3, new LocalCache(fresh).importFrom(dir));
      for (var e : records.entrySet()) {
        CacheRecord got = fresh.cache().get(e.getKey()).orElseThrow();
        assertEquals(e.getValue().history(), got.history());
        for (CacheRecord.Layer l : got.layers()) {
          assertTrue(fresh.blobs().has(l.blob().digest()));
          assertTrue(fresh.layers().blobFor(l.diffId()).isPresent());
        }
      }
      assertEquals(0, new LocalCache(fresh).importFrom(dir));
    }
  }

  @Test
  void anIndexAroundTheManifestAndZstdLayers() throws Exception {
    Path dir = tmp.resolve("cache");
    try (Store store = Store.open(tmp.resolve("a"))) {
      new LocalCache(store)
          .export(
              records(store), dir, PushOptions.defaults().withCompression(Compression.ZSTD), false);
    }
    ImageIndex index = ImageIndex.parse(Files.readAllBytes(dir.resolve("index.json")));
    assertEquals(MediaTypes.OCI_INDEX, index.manifests().getFirst().mediaType());
    for (Descriptor l : cacheManifest(dir).layers()) {
      assertEquals(MediaTypes.OCI_LAYER_ZSTD, l.mediaType());
    }
    try (Store fresh = Store.open(tmp.resolve("b"))) {
      assertEquals(3, new LocalCache(fresh).importFrom(dir));
    }
  }

  @Test
  void aMissingDirectoryIsNotFound() throws Exception {
    try (Store fresh = Store.open(tmp.resolve("b"))) {
      assertThrows(
          NoSuchFileException.class, () -> new LocalCache(fresh).importFrom(tmp.resolve("none")));
    }
  }

  @Test
  void aSymlinkedOrCorruptBlobIsRefused() throws Exception {
    Path dir = tmp.resolve("cache");
    try (Store store = Store.open(tmp.resolve("a"))) {
      new LocalCache(store).export(records(store), dir, PushOptions.defaults(), true);
    }
    Descriptor layer = cacheManifest(dir).layers().getFirst();
    Path blob = dir.resolve("blobs/sha256/" + layer.digest().hex());
    Path elsewhere = tmp.resolve("elsewhere");
    Files.move(blob, elsewhere);
    Files.createSymbolicLink(blob, elsewhere);
    try (Store fresh = Store.open(tmp.resolve("b"))) {
      assertThrows(IOException.class, () -> new LocalCache(fresh).importFrom(dir));
      assertTrue(fresh.cache().get("a".repeat(64)).isEmpty());
    }
    Files.delete(blob);
    byte[] bytes = Files.readAllBytes(elsewhere);
    bytes[bytes.length / 2] ^= 1;
    Files.write(blob, bytes);
    try (Store fresh = Store.open(tmp.resolve("c"))) {
      IOException e = assertThrows(IOException.class, () -> new LocalCache(fresh).importFrom(dir));
      assertTrue(e.getMessage().contains("does not match its digest"), e.getMessage());
      assertTrue(fresh.cache().get("a".repeat(64)).isEmpty());
    }
  }

  @Test
  void aSymlinkedBlobsDirectoryIsRefused() throws Exception {
    Path dir = tmp.resolve("cache");
    try (Store store = Store.open(tmp.resolve("a"))) {
      new LocalCache(store).export(records(store), dir, PushOptions.defaults(), true);
    }
    // the blobs, intact, moved elsewhere and reached through a symlinked directory
    Path elsewhere = tmp.resolve("elsewhere-blobs");
    Files.move(dir.resolve("blobs"), elsewhere);
    Files.createSymbolicLink(dir.resolve("blobs"), elsewhere);
    try (Store fresh = Store.open(tmp.resolve("b"))) {
      IOException e = assertThrows(IOException.class, () -> new LocalCache(fresh).importFrom(dir));
      assertTrue(e.getMessage().contains("through a symlink"), e.getMessage());
      assertTrue(fresh.cache().get("a".repeat(64)).isEmpty());
    }
  }
}
