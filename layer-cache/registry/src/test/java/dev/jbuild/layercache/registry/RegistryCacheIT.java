package dev.jbuild.layercache.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.archive.RegistryCache;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.History;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.RandomImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cache records exported to a registry and imported into an empty store. */
class RegistryCacheIT {
  @TempDir Path tmp;

  @Test
  void exportedRecordsAreAllAvailableOnAFreshStore() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start();
        Registries regs = new Registries(RegistryConfig.empty(), CredentialStore.none())) {
      ImageReference ref = ImageReference.parse(registry.host() + "/ci/cache:main");
      Map<String, CacheRecord> records = new LinkedHashMap<>();
      try (Store store = Store.open(tmp.resolve("ci-1"))) {
        var image = RandomImages.small(store, "built:1", 9);
        var m = store.images().manifest(image.digest());
        var diffIds = RandomImages.diffIds(store, image);
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        records.put(
            "key-run",
            new CacheRecord(
                List.of(new CacheRecord.Layer(m.layers().get(0), diffIds.get(0))),
                JsonObject.EMPTY,
                History.of(t, "RUN make", null, false),
                t,
                Map.of("argv", "make")));
        records.put(
            "key-copy",
            new CacheRecord(
                List.of(new CacheRecord.Layer(m.layers().get(1), diffIds.get(1))),
                JsonObject.EMPTY,
                History.of(t, "COPY . /src", null, false),
                t,
                Map.of()));
        records.put(
            "key-env",
            new CacheRecord(
                List.of(),
                JsonObject.builder().put("Env", "[\"A=1\"]").build(),
                History.of(t, "ENV A=1", null, true),
                t,
                Map.of()));
        records.forEach(
            (k, v) -> {
              try {
                store.cache().put(k, v);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
        new RegistryCache(store, regs, Progress.none())
            .export(records, ref, PushOptions.defaults());
      }
      try (Store fresh = Store.open(tmp.resolve("ci-2"))) {
        int added = new RegistryCache(fresh, regs, Progress.none()).importFrom(ref);
        assertEquals(3, added);
        for (var e : records.entrySet()) {
          CacheRecord got = fresh.cache().get(e.getKey()).orElseThrow();
          assertEquals(e.getValue().history(), got.history());
          assertEquals(e.getValue().configChange(), got.configChange());
          for (int i = 0; i < got.layers().size(); i++) {
            var layer = got.layers().get(i);
            assertEquals(e.getValue().layers().get(i).diffId(), layer.diffId());
            // imported lazily: known, not downloaded
            assertFalse(fresh.blobs().has(layer.blob().digest()));
            assertTrue(fresh.remote().available(layer.blob().digest()));
            // the layer is usable by diffId (what a cached step's next RUN needs): fetched then
            fresh.remote().fetcher(new RegistryBlobFetcher(regs));
            fresh.layers().unpacked(List.of(layer.diffId()));
            assertTrue(fresh.blobs().has(layer.blob().digest()));
            assertTrue(fresh.layers().blobFor(layer.diffId()).isPresent());
            Path root = tmp.resolve("apply-" + layer.diffId().shortHex());
            dev.jbuild.layercache.tar.LayerApplier.apply(
                fresh.blobs().path(layer.blob().digest()),
                root,
                dev.jbuild.layercache.tar.ApplyMode.FLAT);
            assertTrue(
                Files.isDirectory(root.resolve("layer" + i))
                    || Files.list(root).findAny().isPresent());
          }
        }
        // importing twice adds nothing and changes nothing
        assertEquals(0, new RegistryCache(fresh, regs, Progress.none()).importFrom(ref));
      }
    }
  }
}
