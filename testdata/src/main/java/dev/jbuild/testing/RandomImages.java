package dev.jbuild.testing;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.History;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.BlobInfo;
import dev.jbuild.layercache.store.BlobWriter;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.LayerDigests;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import dev.jbuild.layercache.tar.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Images of random content made straight in a {@link Store} (uncompressed layers, as a build makes
 * them), for registry and archive tests and benchmarks. Deterministic for a given seed.
 */
public final class RandomImages {
  private RandomImages() {}

  /**
   * One layer's content: {@code smallFiles} files of 1-16 KiB of text-like (compressible) bytes and
   * {@code bigFiles} files of {@code bigFileSize} random (incompressible) bytes.
   */
  public record LayerSpec(int smallFiles, int bigFiles, long bigFileSize) {}

  /** Creates, stores and tags an image; returns its manifest descriptor. */
  public static Descriptor create(
      Store store, String tag, List<LayerSpec> layers, long seed, Platform platform)
      throws IOException {
    Random random = new Random(seed);
    ImageConfig config =
        ImageConfig.empty(platform).withCreated(Instant.ofEpochSecond(1_700_000_000));
    List<Descriptor> layerDescriptors = new ArrayList<>();
    int n = 0;
    for (LayerSpec spec : layers) {
      LayerDigests digests;
      BlobInfo info;
      try (BlobWriter w = store.blobs().newWriter()) {
        LayerWriter lw = LayerWriter.open(w, LayerWriterOptions.defaults());
        String dir = "layer" + n;
        lw.add(TarEntry.directory(dir));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < spec.bigFiles(); i++) {
          names.add(String.format("big%04d.bin", i));
        }
        for (int i = 0; i < spec.smallFiles(); i++) {
          names.add(String.format("small%05d.txt", i));
        }
        names.sort(null);
        for (String name : names) {
          long size =
              name.startsWith("big") ? spec.bigFileSize() : 1024 + random.nextInt(15 * 1024);
          boolean text = name.startsWith("small");
          lw.add(TarEntry.file(dir + "/" + name, size), content(size, random.nextLong(), text));
        }
        digests = lw.finish();
        info = w.commit();
      }
      Descriptor d = Descriptor.of(MediaTypes.OCI_LAYER, info.digest(), info.size());
      store.layers().register(digests.diffId(), d);
      layerDescriptors.add(d);
      config =
          config.withAddedLayer(
              digests.diffId(),
              History.fromJson(
                  Json.parseObject(
                      "{\"created\":\"2023-11-14T22:13:20Z\",\"created_by\":\"layer "
                          + n
                          + "\"}")));
      n++;
    }
    Descriptor configDescriptor = store.images().putConfig(config);
    ImageManifest manifest = ImageManifest.of(configDescriptor, layerDescriptors);
    Descriptor m = store.images().putManifest(manifest);
    if (tag != null) {
      store.images().tag(tag, m);
    }
    return m;
  }

  /** A small image: two layers of a few files each. */
  public static Descriptor small(Store store, String tag, long seed) throws IOException {
    return create(
        store,
        tag,
        List.of(new LayerSpec(5, 1, 200_000), new LayerSpec(3, 0, 0)),
        seed,
        Platform.parse("linux/amd64"));
  }

  private static InputStream content(long size, long seed, boolean text) {
    Random r = new Random(seed);
    return new InputStream() {
      long left = size;

      @Override
      public int read() {
        byte[] b = new byte[1];
        return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left <= 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        if (text) {
          for (int i = 0; i < n; i++) {
            b[off + i] = (byte) ('a' + r.nextInt(8));
          }
        } else {
          byte[] tmp = new byte[n];
          r.nextBytes(tmp);
          System.arraycopy(tmp, 0, b, off, n);
        }
        left -= n;
        return n;
      }
    };
  }

  /** The diff_ids of a stored image. */
  public static List<Digest> diffIds(Store store, Descriptor manifest) throws IOException {
    ImageManifest m = store.images().manifest(manifest.digest());
    return store.images().config(m.config().digest()).diffIds();
  }
}
