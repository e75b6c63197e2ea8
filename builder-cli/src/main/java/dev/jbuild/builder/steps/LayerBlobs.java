package dev.jbuild.builder.steps;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.BlobInfo;
import dev.jbuild.layercache.store.BlobWriter;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.LayerDigests;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import java.io.IOException;
import java.time.Instant;

/**
 * Writes a layer the builder makes itself (COPY, ADD, WORKDIR) into the store: uncompressed (the
 * build path never compresses), so the blob digest is the diff ID and is computed once.
 */
public final class LayerBlobs {
  private LayerBlobs() {}

  /** What fills the layer. */
  @FunctionalInterface
  public interface Content {
    void write(LayerWriter writer) throws IOException;
  }

  /** Writes, stores and registers a layer; mtimes are clamped to {@code epoch} when not null. */
  public static CacheRecord.Layer write(Store store, Instant epoch, Content content)
      throws IOException {
    LayerWriterOptions opts =
        LayerWriterOptions.defaults().withCompression(Compression.NONE).withSourceDateEpoch(epoch);
    try (BlobWriter blob = store.blobs().newWriter();
        LayerWriter writer = LayerWriter.open(blob, opts)) {
      content.write(writer);
      LayerDigests digests = writer.finish();
      dev.jbuild.builder.progress.Trace.mark(
          "  layer written " + digests.uncompressedSize() + " bytes");
      BlobInfo info = blob.commit(digests.blobDigest());
      dev.jbuild.builder.progress.Trace.mark("  blob committed");
      Descriptor desc = info.toDescriptor(MediaTypes.OCI_LAYER);
      store.layers().register(digests.diffId(), desc);
      return new CacheRecord.Layer(desc, digests.diffId());
    }
  }
}
