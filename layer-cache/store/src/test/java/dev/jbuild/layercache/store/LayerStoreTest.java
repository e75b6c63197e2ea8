package dev.jbuild.layercache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.fixtures.SampleImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerStoreTest {
  @TempDir Path dir;
  final SampleImages.SimpleUnpacker unpacker = new SampleImages.SimpleUnpacker();

  Store open() throws IOException {
    return Store.open(dir.resolve("root"), StoreOptions.defaults().withUnpacker(unpacker));
  }

  @Test
  void unpacksOnDemandUnderAShortPath() throws IOException {
    try (Store s = open()) {
      SampleImages.Layer l = SampleImages.layer(s, Compression.GZIP, Map.of("a/", "", "a/f", "x"));
      s.layers().register(l.diffId(), l.blob());
      assertTrue(s.layers().ifUnpacked(l.diffId()).isEmpty());
      Path tree = s.layers().unpacked(l.diffId());
      assertEquals("x", Files.readString(tree.resolve("a/f")));
      assertEquals("l/" + LayerStore.shortId(l.diffId()), s.root().relativize(tree).toString());
      assertEquals(14, s.root().relativize(tree).toString().length());
      assertEquals(
          l.diffId().toString(),
          Files.readString(s.root().resolve("l/" + LayerStore.shortId(l.diffId()) + ".diffid")));
      assertEquals(tree, s.layers().unpacked(l.diffId()));
      assertEquals(1, unpacker.calls.get());
      assertEquals(List.of(l.diffId()), s.layers().listUnpacked());
    }
  }

  @Test
  void uncompressedBlobsNeedNoRegistrationAndComeFirst() throws IOException {
    try (Store s = open()) {
      SampleImages.Layer plain = SampleImages.layer(s, Compression.NONE, Map.of("f", "1"));
      SampleImages.Layer gz = SampleImages.layer(s, Compression.GZIP, Map.of("f", "1"));
      assertEquals(plain.diffId(), gz.diffId());
      s.layers().register(gz.diffId(), gz.blob());
      List<Descriptor> blobs = s.layers().blobsFor(plain.diffId());
      assertEquals(2, blobs.size());
      assertEquals(plain.blob().digest(), blobs.get(0).digest());
      assertEquals(MediaTypes.OCI_LAYER_GZIP, blobs.get(1).mediaType());
      assertEquals("1", Files.readString(s.layers().unpacked(plain.diffId()).resolve("f")));
    }
  }

  @Test
  void aBlobThatDoesNotMatchItsDiffIdIsRejected() throws IOException {
    try (Store s = open()) {
      SampleImages.Layer l = SampleImages.layer(s, Compression.GZIP, Map.of("f", "x"));
      Digest lie = Digest.sha256(new byte[] {42});
      s.layers().register(lie, l.blob());
      DigestMismatchException e =
          assertThrows(DigestMismatchException.class, () -> s.layers().unpacked(lie));
      assertTrue(e.getMessage().contains(l.blob().digest().toString()), e.getMessage());
      assertTrue(s.layers().ifUnpacked(lie).isEmpty());
      assertTrue(s.layers().listUnpacked().isEmpty());
    }
  }

  @Test
  void unknownLayerIsAClearError() throws IOException {
    try (Store s = open()) {
      Digest d = Digest.sha256(new byte[] {1});
      NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> s.layers().unpacked(d));
      assertTrue(e.getMessage().contains(d.toString()), e.getMessage());
    }
  }

  @Test
  void adoptMovesADirectoryIn() throws IOException {
    try (Store s = open()) {
      SampleImages.Layer l = SampleImages.layer(s, Compression.NONE, Map.of("f", "upper"));
      Path upper = s.newTempDir("upper");
      Files.writeString(upper.resolve("f"), "upper");
      Path tree = s.layers().adopt(l.diffId(), l.blob(), upper);
      assertFalse(Files.exists(upper));
      assertEquals("upper", Files.readString(tree.resolve("f")));
      assertEquals(0, unpacker.calls.get());
      Path again = s.newTempDir("upper");
      assertEquals(tree, s.layers().adopt(l.diffId(), l.blob(), again));
      assertFalse(Files.exists(again), "a second adopt consumes its directory");
    }
  }

  @Test
  void concurrentUnpacksOfOneLayerUnpackOnce() throws Exception {
    try (Store s = open()) {
      SampleImages.Layer l = SampleImages.layer(s, Compression.ZSTD, Map.of("f", "z"));
      s.layers().register(l.diffId(), l.blob());
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Callable<Path>> tasks = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
          tasks.add(() -> s.layers().unpacked(l.diffId()));
        }
        List<Path> results = new ArrayList<>();
        for (Future<Path> f : pool.invokeAll(tasks)) {
          results.add(f.get());
        }
        assertEquals(1, results.stream().distinct().count());
        assertEquals(1, unpacker.calls.get());
      } finally {
        pool.shutdown();
      }
      // a second store instance (another process in real life) sees it installed
      try (Store t = open()) {
        assertEquals("z", Files.readString(t.layers().unpacked(l.diffId()).resolve("f")));
      }
    }
  }

  @Test
  void defaultUnpackerAppliesOverlayFormAndChecksTheDiffId() throws IOException {
    try (Store s = Store.open(dir.resolve("real"))) {
      SampleImages.Layer gz =
          SampleImages.layer(s, Compression.GZIP, Map.of("d/", "", "d/f", "data"));
      s.layers().register(gz.diffId(), gz.blob());
      Path tree = s.layers().unpacked(gz.diffId());
      assertEquals("data", Files.readString(tree.resolve("d/f")));

      SampleImages.Layer wh = whiteoutLayer(s);
      Path t2 = s.layers().unpacked(wh.diffId());
      Path w = t2.resolve("gone");
      int mode =
          (Integer) Files.getAttribute(w, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
      assertEquals(0020000, mode & 0170000, "whiteout is a character device");
      assertEquals(0L, ((Number) Files.getAttribute(w, "unix:rdev")).longValue());

      Digest lie = Digest.sha256(new byte[] {7});
      s.layers().register(lie, gz.blob());
      assertThrows(DigestMismatchException.class, () -> s.layers().unpacked(lie));
    }
  }

  private static SampleImages.Layer whiteoutLayer(Store s) throws IOException {
    try (BlobWriter w = s.blobs().newWriter()) {
      var lw =
          dev.jbuild.layercache.tar.LayerWriter.open(
              w,
              dev.jbuild.layercache.tar.LayerWriterOptions.of(Compression.NONE)
                  .withSourceDateEpoch(SampleImages.T0));
      lw.add(dev.jbuild.layercache.tar.TarEntry.whiteout("gone", SampleImages.T0));
      var d = lw.finish();
      BlobInfo info = w.commit();
      assertEquals(d.diffId(), info.digest());
      return new SampleImages.Layer(info.toDescriptor(MediaTypes.OCI_LAYER), d.diffId());
    }
  }

  @Test
  void defaultUnpackerVerifiesGzipAndZstdLayersOfManySizes() throws IOException {
    // regression: a zstd stream supports mark/reset, and the applier's compression sniffing must
    // not make the diffId hash count the sniffed bytes twice
    try (Store s = Store.open(dir.resolve("sizes"))) {
      for (Compression c : new Compression[] {Compression.GZIP, Compression.ZSTD}) {
        for (int size : new int[] {1, 600, 5000, 70_000}) {
          java.util.Random r = new java.util.Random(size);
          Map<String, String> files = new java.util.TreeMap<>();
          files.put("dir/", "");
          for (int f = 0; f < 12; f++) {
            files.put("dir/f" + f, r.nextLong() + "x".repeat(r.nextInt(size)));
          }
          SampleImages.Layer l = SampleImages.layer(s, c, files);
          s.layers().register(l.diffId(), l.blob());
          Path tree = s.layers().unpacked(l.diffId());
          assertEquals(
              files.get("dir/f3"), Files.readString(tree.resolve("dir/f3")), c + " " + size);
        }
      }
    }
  }
}
