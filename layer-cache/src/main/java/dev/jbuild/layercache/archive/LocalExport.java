package dev.jbuild.layercache.archive;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.ApplyMode;
import dev.jbuild.layercache.tar.LayerApplier;
import java.io.IOException;
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
      LayerApplier.apply(store.blobs().path(layer.digest()), dir, ApplyMode.FLAT);
    }
  }
}
