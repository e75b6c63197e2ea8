package dev.jbuild.layercache.archive;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.ApplyMode;
import dev.jbuild.layercache.tar.LayerApplier;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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

  /**
   * {@code --output type=local} of any image: a single image's filesystem in {@code dir}; of an
   * image index with several images, one subdirectory per platform named as BuildKit names them
   * ({@code linux_amd64/}, {@code linux_arm64/}, {@code linux_arm_v7/}); an index of one image is
   * written flat, as BuildKit does for one platform.
   */
  public static void writeAll(Store store, Descriptor target, Path dir) throws IOException {
    Descriptor plain = target.withAnnotations(null);
    if (!MediaTypes.isIndex(plain.mediaType())) {
      write(store, plain, dir);
      return;
    }
    List<Image> images = store.images().images(plain);
    if (images.isEmpty()) {
      throw new IOException("image index " + plain.digest() + " has no image in the store");
    }
    if (images.size() == 1) {
      write(store, images.getFirst().manifestDescriptor(), dir);
      return;
    }
    Files.createDirectories(dir);
    Set<String> seen = new HashSet<>();
    for (Image image : images) {
      String sub = directoryName(image.platform());
      if (!seen.add(sub)) {
        throw new IOException(
            "image index " + plain.digest() + " has two images for " + image.platform());
      }
      write(
          store, image.manifestDescriptor().withPlatform(null), image.platform(), dir.resolve(sub));
    }
  }

  /** BuildKit's per-platform directory name: {@code linux/arm/v7} is {@code linux_arm_v7}. */
  public static String directoryName(Platform p) throws IOException {
    if (p == null) {
      return "unknown";
    }
    String name = p.normalize().toString().replace('/', '_');
    if (!name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
      throw new IOException("invalid platform name for a directory: " + p);
    }
    return name;
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
