package dev.jbuild.layercache.store;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.store.fixtures.SampleImages;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A child-process workload for the crash and concurrency tests: in a loop, under the shared lock,
 * writes a random streamed blob, a layer (plain, gzip or zstd), an image, tags it (a shared tag and
 * a unique one), writes a cache record and unpacks the layer; every few iterations it prunes.
 * Prints {@code ITER <n>} after each iteration.
 *
 * <p>Arguments: store root, name (tag prefix), iterations (0 = forever), seed, prune interval.
 */
public final class StoreTorture {
  private StoreTorture() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    String name = args[1];
    int iterations = Integer.parseInt(args[2]);
    Random random = new Random(Long.parseLong(args[3]));
    int pruneEvery = Integer.parseInt(args[4]);
    try (Store store = Store.open(root)) {
      for (int i = 1; iterations == 0 || i <= iterations; i++) {
        iteration(store, name, i, random);
        if (pruneEvery > 0 && i % pruneEvery == 0) {
          store.gc().prune(PruneOptions.defaults().withKeepCache(Duration.ofSeconds(2)));
        }
        System.out.println("ITER " + i);
        System.out.flush();
      }
    }
  }

  static void iteration(Store store, String name, int i, Random random) throws IOException {
    StoreLock lock = store.lockShared();
    try {
      // a streamed blob of up to 2 MiB
      try (BlobWriter w = store.blobs().newWriter()) {
        byte[] chunk = new byte[64 * 1024];
        int chunks = 1 + random.nextInt(32);
        for (int c = 0; c < chunks; c++) {
          random.nextBytes(chunk);
          w.write(chunk);
        }
        w.commit();
      }
      Compression compression = Compression.values()[random.nextInt(3)];
      Map<String, String> files = new java.util.TreeMap<>();
      files.put("dir/", "");
      int n = 1 + random.nextInt(20);
      for (int f = 0; f < n; f++) {
        files.put(
            "dir/f" + f,
            name + "-" + i + "-" + random.nextLong() + "x".repeat(random.nextInt(5000)));
      }
      SampleImages.Layer layer = SampleImages.layer(store, compression, files);
      Descriptor manifest = SampleImages.image(store, "COPY " + name + i, List.of(layer));
      store.images().tag(name + ":latest", manifest);
      store.images().tag("shared:" + (i % 3), manifest);
      store.images().tag(name + ":" + i, manifest);
      List<CacheRecord.Layer> layers = new ArrayList<>();
      layers.add(new CacheRecord.Layer(layer.blob(), layer.diffId()));
      store
          .cache()
          .put(
              name + "-" + i,
              new CacheRecord(layers, null, null, java.time.Instant.now(), Map.of("i", "" + i)));
      Path tree = store.layers().unpacked(layer.diffId());
      if (!java.nio.file.Files.isRegularFile(tree.resolve("dir/f0"))) {
        throw new IllegalStateException("unpacked layer " + layer.diffId() + " lacks dir/f0");
      }
    } finally {
      lock.close();
    }
  }
}
