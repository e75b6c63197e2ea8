package dev.jbuild.layercache.archive;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.ApplyMode;
import dev.jbuild.layercache.tar.LayerApplier;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --output type=local,dest=DIR}: the image's final filesystem, its layers applied in order
 * (whiteouts and opaque directories resolved) into {@code dir}.
 */
public final class LocalExport {
  private LocalExport() {}

  public static void write(Store store, Descriptor manifest, Path dir) throws IOException {
    write(store, manifest, Platform.host(), dir);
  }

  public static void write(Store store, Descriptor manifest, Platform platform, Path dir)
      throws IOException {
    var image = store.images().image(manifest.withAnnotations(null), platform);
    Files.createDirectories(dir);
    for (Descriptor layer : image.manifest().layers()) {
      // verified while it streams; the whole blob is read so its digest is checked
      try (InputStream blob = store.blobs().openVerified(layer.digest())) {
        LayerApplier.apply(new NonClosingInput(blob), dir, ApplyMode.FLAT);
        blob.transferTo(OutputStream.nullOutputStream());
      }
    }
  }

  /** Keeps the applier from closing the blob before its end is read (and verified). */
  private static final class NonClosingInput extends FilterInputStream {
    NonClosingInput(InputStream in) {
      super(in);
    }

    @Override
    public void close() {}
  }
}
