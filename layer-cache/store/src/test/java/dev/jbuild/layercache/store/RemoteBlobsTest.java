package dev.jbuild.layercache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.store.fixtures.SampleImages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote (lazy) blobs: counted as present by cache records, fetched once however many threads ask,
 * verified, fetched by the layer store when a layer is unpacked, kept by prune while a live record
 * uses them.
 */
class RemoteBlobsTest {
  @TempDir Path dir;

  /** Serves blobs from another store, counting fetches; {@code corrupt} flips the first byte. */
  private static final class FromStore implements RemoteBlobs.BlobFetcher {
    final Store origin;
    final AtomicInteger fetches = new AtomicInteger();
    volatile boolean corrupt;
    volatile CountDownLatch gate;

    FromStore(Store origin) {
      this.origin = origin;
    }

    @Override
    public void fetch(Descriptor blob, String source, BlobWriter into) throws IOException {
      assertEquals("test:origin", source);
      fetches.incrementAndGet();
      if (gate != null) {
        try {
          gate.await();
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
      }
      try (InputStream in = origin.blobs().open(blob.digest())) {
        byte[] bytes = in.readAllBytes();
        if (corrupt) {
          bytes[0] ^= 1;
        }
        into.write(bytes);
      }
    }
  }

  @Test
  void aRecordWithRemoteLayersIsAHitAndItsBlobIsFetchedOnceWhenUnpacked() throws Exception {
    try (Store origin = Store.open(dir.resolve("origin"));
        Store s = Store.open(dir.resolve("s"))) {
      SampleImages.Layer l = SampleImages.layer(origin, Compression.GZIP, Map.of("f", "x"));
      FromStore fetcher = new FromStore(origin);
      s.remote().fetcher(fetcher);
      s.cache().put("k", CacheRecordsTest.record(l));
      assertTrue(s.cache().get("k").isEmpty(), "neither local nor remote: a miss");

      s.remote().record(l.blob(), "test:origin");
      s.layers().register(l.diffId(), l.blob());
      assertTrue(s.cache().get("k").isPresent(), "remote counts as present");
      assertFalse(s.blobs().has(l.blob().digest()));
      assertEquals(0, fetcher.fetches.get());

      // eight threads need it at once: one download
      fetcher.gate = new CountDownLatch(1);
      List<Thread> threads = new ArrayList<>();
      List<Throwable> errors = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        threads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      try {
                        s.layers().unpacked(List.of(l.diffId()));
                      } catch (Throwable t) {
                        synchronized (errors) {
                          errors.add(t);
                        }
                      }
                    }));
      }
      Thread.sleep(100);
      fetcher.gate.countDown();
      for (Thread t : threads) {
        t.join();
      }
      assertEquals(List.of(), errors);
      assertEquals(1, fetcher.fetches.get());
      assertTrue(s.blobs().has(l.blob().digest()));
      assertEquals("x", Files.readString(s.layers().unpacked(l.diffId()).resolve("f")));
    }
  }

  @Test
  void aBlobNeitherLocalNorRemoteIsNamedAndACorruptDownloadIsNeverCommitted() throws Exception {
    try (Store origin = Store.open(dir.resolve("origin"));
        Store s = Store.open(dir.resolve("s"))) {
      SampleImages.Layer l = SampleImages.layer(origin, Compression.GZIP, Map.of("f", "y"));
      NoSuchFileException e =
          assertThrows(NoSuchFileException.class, () -> s.remote().ensure(List.of(l.blob())));
      assertTrue(e.getMessage().contains(l.blob().digest().toString()), e.getMessage());

      s.remote().record(l.blob(), "test:origin");
      IOException noFetcher =
          assertThrows(IOException.class, () -> s.remote().ensure(List.of(l.blob())));
      assertTrue(noFetcher.getMessage().contains("test:origin"), noFetcher.getMessage());

      FromStore fetcher = new FromStore(origin);
      fetcher.corrupt = true;
      s.remote().fetcher(fetcher);
      assertThrows(IOException.class, () -> s.remote().ensure(List.of(l.blob())));
      assertFalse(s.blobs().has(l.blob().digest()));
      fetcher.corrupt = false;
      s.remote().ensure(List.of(l.blob()));
      assertTrue(s.blobs().has(l.blob().digest()));
    }
  }

  @Test
  void pruneKeepsTheRemoteEntriesOfLiveRecordsOnly() throws Exception {
    try (Store origin = Store.open(dir.resolve("origin"));
        Store s = Store.open(dir.resolve("s"))) {
      SampleImages.Layer used = SampleImages.layer(origin, Compression.GZIP, Map.of("f", "1"));
      SampleImages.Layer unused = SampleImages.layer(origin, Compression.GZIP, Map.of("f", "2"));
      s.remote().record(used.blob(), "test:origin");
      s.remote().record(unused.blob(), "test:origin");
      s.layers().register(used.diffId(), used.blob());
      s.cache().put("k", CacheRecordsTest.record(used));

      PruneReport r = s.gc().prune(PruneOptions.defaults());
      assertTrue(r.removedCacheKeys().isEmpty(), "a record with a remote layer is not broken");
      assertTrue(s.remote().get(used.blob().digest()).isPresent());
      assertTrue(s.remote().get(unused.blob().digest()).isEmpty());
      assertTrue(s.cache().get("k").isPresent());
      assertEquals(
          List.of(used.blob()),
          List.of(s.layers().remoteBlobFor(used.diffId()).orElseThrow()),
          "the registration of a remote blob survives prune");

      // once local, the entry goes
      s.remote().fetcher(new FromStore(origin));
      s.remote().ensure(List.of(used.blob()));
      s.gc().prune(PruneOptions.defaults());
      assertTrue(s.remote().get(used.blob().digest()).isEmpty());
      assertTrue(s.cache().get("k").isPresent());
    }
  }
}
