package dev.jbuild.layercache.store;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.History;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.tar.LayerDigests;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import dev.jbuild.layercache.tar.TarEntry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Small real images and layers for store tests. */
final class Fixtures {
  private Fixtures() {}

  static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  /** A layer (blob + diffId). */
  record Layer(Descriptor blob, Digest diffId) {}

  /** A layer with files {@code name -> content} (directories implied must be listed by caller). */
  static Layer layer(Store store, Compression compression, Map<String, String> files)
      throws IOException {
    try (BlobWriter w = store.blobs().newWriter()) {
      LayerWriter lw =
          LayerWriter.open(
              w, LayerWriterOptions.of(compression).withSourceDateEpoch(T0).withThreads(1));
      for (Map.Entry<String, String> e : new TreeMap<>(files).entrySet()) {
        if (e.getKey().endsWith("/")) {
          lw.add(
              TarEntry.directory(e.getKey().substring(0, e.getKey().length() - 1)).withMtime(T0));
        } else {
          byte[] data = e.getValue().getBytes(StandardCharsets.UTF_8);
          lw.add(
              TarEntry.file(e.getKey(), data.length).withMtime(T0), new ByteArrayInputStream(data));
        }
      }
      LayerDigests d = lw.finish();
      BlobInfo info = w.commit(d.blobDigest());
      String mt = MediaTypes.ociLayer(MediaTypes.LayerCompression.valueOf(compression.name()));
      return new Layer(info.toDescriptor(mt), d.diffId());
    }
  }

  /** An image of the given layers; returns the manifest descriptor (not tagged). */
  static Descriptor image(Store store, String createdBy, List<Layer> layers) throws IOException {
    ImageConfig c = ImageConfig.empty(Platform.host()).withCreated(T0);
    List<Descriptor> blobs = new ArrayList<>();
    for (Layer l : layers) {
      c = c.withAddedLayer(l.diffId(), History.of(T0, createdBy, null, false));
      blobs.add(l.blob());
      store.layers().register(l.diffId(), l.blob());
    }
    c = c.withCmd(List.of("sh")).withAddedHistory(History.of(T0, "CMD [\"sh\"]", null, true));
    Descriptor config = store.images().putConfig(c);
    return store.images().putManifest(ImageManifest.of(config, blobs));
  }

  static Descriptor image(Store store, String content) throws IOException {
    return image(
        store, "COPY " + content, List.of(layer(store, Compression.NONE, Map.of("f", content))));
  }

  /** A plain unpacker (files and directories) for unit tests; counts its calls. */
  static final class SimpleUnpacker implements LayerUnpacker {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public Digest unpack(Path blobFile, MediaTypes.LayerCompression compression, Path dir)
        throws IOException {
      calls.incrementAndGet();
      var md = Digest.newSha256();
      try (InputStream raw = Files.newInputStream(blobFile);
          InputStream un =
              compression == MediaTypes.LayerCompression.NONE
                  ? raw
                  : Compression.decompressing(raw);
          var hashed = new java.security.DigestInputStream(un, md);
          TarArchiveInputStream tar = new TarArchiveInputStream(hashed)) {
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
          Path target = dir.resolve(e.getName()).normalize();
          if (!target.startsWith(dir)) {
            throw new IOException("escape: " + e.getName());
          }
          if (e.isDirectory()) {
            Files.createDirectories(target);
          } else {
            Files.createDirectories(target.getParent());
            Files.copy(tar, target);
          }
        }
        hashed.transferTo(java.io.OutputStream.nullOutputStream());
      }
      return compression == MediaTypes.LayerCompression.NONE
          ? null
          : Digest.of(Digest.SHA256, md.digest());
    }
  }
}
