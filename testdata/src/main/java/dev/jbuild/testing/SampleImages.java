package dev.jbuild.testing;

import dev.jbuild.layercache.compress.Compression;
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
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Small synthetic images written into a {@link Store} through the real layer writer: each layer is
 * a map of file names to contents ({@code "dir/"} keys are directories). For tests of the store,
 * the CLI and the validator; base images for RUN steps come from {@code TestImages}.
 */
public final class SampleImages {
  private SampleImages() {}

  public static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  /** A layer: its blob descriptor and diff ID. */
  public record Layer(Descriptor blob, Digest diffId) {}

  /** Writes one layer (deterministic: SOURCE_DATE_EPOCH = T0) with the given compression. */
  public static Layer layer(Store store, Compression compression, Map<String, String> files)
      throws IOException {
    try (BlobWriter w = store.blobs().newWriter()) {
      LayerWriter lw =
          LayerWriter.open(
              w, LayerWriterOptions.of(compression).withSourceDateEpoch(T0).withThreads(1));
      for (Map.Entry<String, String> e : new TreeMap<>(files).entrySet()) {
        String name = e.getKey();
        if (name.endsWith("/")) {
          lw.add(TarEntry.directory(name.substring(0, name.length() - 1)).withMtime(T0));
        } else {
          byte[] data = e.getValue().getBytes(StandardCharsets.UTF_8);
          lw.add(TarEntry.file(name, data.length).withMtime(T0), new ByteArrayInputStream(data));
        }
      }
      LayerDigests d = lw.finish();
      BlobInfo info = w.commit(d.blobDigest());
      String mt = MediaTypes.ociLayer(MediaTypes.LayerCompression.valueOf(compression.name()));
      Layer layer = new Layer(info.toDescriptor(mt), d.diffId());
      store.layers().register(layer.diffId(), layer.blob());
      return layer;
    }
  }

  /**
   * Writes an image of uncompressed layers (one per map, each with a COPY history entry) plus an
   * empty-layer CMD entry; tags it when {@code tag} is not null. Returns the manifest descriptor.
   */
  public static Descriptor image(
      Store store, String tag, Instant created, List<Map<String, String>> layers)
      throws IOException {
    ImageConfig c = ImageConfig.empty(Platform.host()).withCreated(created);
    List<Descriptor> blobs = new ArrayList<>();
    int i = 0;
    for (Map<String, String> files : layers) {
      Layer l = layer(store, Compression.NONE, files);
      c =
          c.withAddedLayer(
              l.diffId(),
              History.of(
                  created, "COPY layer" + i++ + " / # buildkit", "buildkit.dockerfile.v0", false));
      blobs.add(l.blob());
    }
    c =
        c.withEnv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
            .withCmd(List.of("sh"))
            .withAddedHistory(History.of(created, "CMD [\"sh\"]", "buildkit.dockerfile.v0", true));
    Descriptor config = store.images().putConfig(c);
    Descriptor manifest = store.images().putManifest(ImageManifest.of(config, blobs));
    if (tag != null) {
      store.images().tag(tag, manifest);
    } else {
      store.images().addUntagged(manifest);
    }
    return manifest;
  }
}
