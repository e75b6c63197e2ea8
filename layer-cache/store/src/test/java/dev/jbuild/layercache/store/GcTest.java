package dev.jbuild.layercache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.fixtures.SampleImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcTest {
  @TempDir Path dir;

  Store open() throws IOException {
    return Store.open(dir, StoreOptions.defaults().withUnpacker(new SampleImages.SimpleUnpacker()));
  }

  @Test
  void pruneKeepsTaggedImagesAndYoungCacheAndRemovesTheRest() throws IOException {
    try (Store s = open()) {
      // tagged image with an unpacked layer
      SampleImages.Layer kept = SampleImages.layer(s, Compression.GZIP, Map.of("k", "kept"));
      Descriptor tagged = SampleImages.image(s, "COPY k", List.of(kept));
      s.images().tag("app:1", tagged);
      s.layers().unpacked(kept.diffId());
      // an image that becomes dangling, with its own layer, unpacked
      SampleImages.Layer gone = SampleImages.layer(s, Compression.NONE, Map.of("g", "gone"));
      Descriptor old = SampleImages.image(s, "COPY g", List.of(gone));
      s.images().tag("app:2", old);
      s.images().tag("app:2", SampleImages.image(s, "COPY k", List.of(kept)).withAnnotations(null));
      assertEquals(1, s.gc().danglingImages().size());
      s.layers().unpacked(gone.diffId());
      // young and old cache records, each with a layer only they use
      SampleImages.Layer young = SampleImages.layer(s, Compression.NONE, Map.of("y", "young"));
      SampleImages.Layer aged = SampleImages.layer(s, Compression.NONE, Map.of("o", "old"));
      s.cache().put("young", CacheRecordsTest.record(young));
      s.cache().put("old", CacheRecordsTest.record(aged));
      Files.setLastModifiedTime(
          s.cache().file("old"), FileTime.from(Instant.now().minus(Duration.ofDays(30))));
      // an orphan blob
      BlobInfo orphan = s.blobs().put("orphan".getBytes());
      // a pinned blob
      BlobInfo pinned = s.blobs().put("pinned".getBytes());
      Files.writeString(
          s.gcRootsDir().resolve("container-1"), "{\"digests\":[\"" + pinned.digest() + "\"]}");

      DiskUsage df = s.gc().df();
      assertEquals(2, df.images().total(), "app:1 and app:2 name one manifest");
      assertEquals(1, df.images().active());
      assertTrue(df.images().reclaimable() > 0);
      assertEquals(2, df.layers().total());
      assertEquals(1, df.layers().active());
      assertEquals(2, df.buildCache().total());
      assertEquals(1, df.buildCache().active());
      assertTrue(df.unreferenced().total() >= 1);

      PruneReport dry = s.gc().prune(PruneOptions.defaults().withDryRun(true));
      assertTrue(s.blobs().has(orphan.digest()), "dry run removes nothing");
      assertEquals(1, s.gc().danglingImages().size());

      PruneReport r = s.gc().prune(PruneOptions.defaults());
      assertEquals(dry.removedBlobs().size(), r.removedBlobs().size());
      assertEquals(dry.totalBytes(), r.totalBytes());
      assertEquals(
          List.of(old.digest()), r.removedImages().stream().map(Descriptor::digest).toList());
      assertEquals(List.of("old"), r.removedCacheKeys());
      assertEquals(List.of(gone.diffId()), r.removedLayers());
      assertTrue(r.layerBytes() > 0);
      assertFalse(s.blobs().has(orphan.digest()));
      assertFalse(s.blobs().has(gone.blob().digest()));
      assertFalse(s.blobs().has(old.digest()));
      assertFalse(s.blobs().has(aged.blob().digest()));
      assertTrue(s.blobs().has(pinned.digest()));
      assertTrue(s.blobs().has(young.blob().digest()));
      assertTrue(s.cache().get("young").isPresent());
      assertTrue(s.cache().get("old").isEmpty());
      assertTrue(s.layers().ifUnpacked(kept.diffId()).isPresent());
      assertTrue(s.layers().ifUnpacked(gone.diffId()).isEmpty());
      // the tagged images are whole
      for (Descriptor d : s.images().list()) {
        Image img = s.images().image(d);
        assertTrue(s.blobs().has(img.id()));
        img.manifest().layers().forEach(l -> assertTrue(s.blobs().has(l.digest())));
      }
      assertEquals(0, s.gc().prune(PruneOptions.defaults()).totalBytes(), "idempotent");

      PruneReport all = s.gc().prune(PruneOptions.defaults().withAllCache(true));
      assertEquals(List.of("young"), all.removedCacheKeys());
      assertFalse(s.blobs().has(young.blob().digest()));
    }
  }

  @Test
  void registrationsOfGoneBlobsAreDropped() throws IOException {
    try (Store s = open()) {
      SampleImages.Layer l = SampleImages.layer(s, Compression.GZIP, Map.of("f", "x"));
      s.layers().register(l.diffId(), l.blob());
      s.gc().prune(PruneOptions.defaults());
      assertFalse(s.blobs().has(l.blob().digest()));
      assertTrue(s.layers().blobsFor(l.diffId()).isEmpty());
      assertFalse(Files.exists(s.layers().registrationDir(l.diffId())));
    }
  }

  @Test
  void pruneWaitsForBuildsHoldingTheSharedLock() throws Exception {
    try (Store s = open()) {
      StoreLock build = s.lockShared();
      java.util.concurrent.atomic.AtomicBoolean got =
          new java.util.concurrent.atomic.AtomicBoolean();
      Thread pruner =
          Thread.ofPlatform()
              .start(() -> got.set(s.tryLockExclusive(Duration.ofMillis(100)).isPresent()));
      pruner.join();
      assertFalse(got.get(), "prune cannot lock while a build holds the shared lock");
      Thread other =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try (StoreLock l2 = s.lockShared()) {
                      assertFalse(l2.exclusive());
                    }
                  });
      other.join();
      build.close();
      try (StoreLock ex = s.tryLockExclusive(Duration.ofSeconds(5)).orElseThrow()) {
        assertTrue(ex.exclusive());
        try (StoreLock nested = s.lockShared()) {
          assertFalse(nested.exclusive(), "shared inside exclusive on one thread is fine");
        }
      }
      try (StoreLock again = s.lockShared()) {
        assertFalse(again.exclusive());
      }
    }
  }

  @Test
  void sharedHoldsMayMoveBetweenThreadsAndUpgradesFailFast() throws Exception {
    try (Store s = open()) {
      StoreLock held = s.lockShared();
      Thread closer = Thread.ofVirtual().start(held::close);
      closer.join();
      try (StoreLock ex = s.tryLockExclusive(Duration.ofSeconds(5)).orElseThrow()) {
        assertTrue(ex.exclusive());
      }
      try (StoreLock shared = s.lockShared()) {
        IllegalStateException e =
            org.junit.jupiter.api.Assertions.assertThrows(
                IllegalStateException.class, s::lockExclusive);
        assertTrue(e.getMessage().contains("shared"), e.getMessage());
        assertFalse(shared.exclusive());
      }
      try (StoreLock ex = s.lockExclusive();
          StoreLock again = s.lockExclusive()) {
        assertTrue(ex.exclusive() && again.exclusive());
      }
    }
  }

  @Test
  void danglingReportedAsNoneIsEmptyForFreshStore() throws IOException {
    try (Store s = open()) {
      assertTrue(s.gc().danglingImages().isEmpty());
      DiskUsage df = s.gc().df();
      assertEquals(0, df.images().total());
      assertEquals(0, df.layers().size());
    }
    Digest.sha256(new byte[0]);
  }
}
