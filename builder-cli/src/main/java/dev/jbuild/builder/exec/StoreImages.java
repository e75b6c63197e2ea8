package dev.jbuild.builder.exec;

import dev.jbuild.builder.cache.KeyBuilder;
import dev.jbuild.builder.core.BaseImage;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Turns images of the store into {@link BaseImage}s. */
public final class StoreImages {
  private StoreImages() {}

  /** The stored image {@code name} names, if the store has it. */
  public static Optional<BaseImage> find(Store store, String name, Platform platform)
      throws IOException {
    Optional<Descriptor> d = store.images().resolve(name);
    if (d.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(load(store, d.get(), platform));
  }

  /** The image of a manifest (or index) descriptor in the store. */
  public static BaseImage load(Store store, Descriptor descriptor, Platform platform)
      throws IOException {
    Image image = store.images().image(descriptor, platform);
    ImageConfig config = image.config();
    List<Digest> diffIds = config.diffIds();
    List<Descriptor> blobs = image.manifest().layers();
    if (diffIds.size() != blobs.size()) {
      throw BuildErrors.inconsistentImage(descriptor.digest(), blobs.size(), diffIds.size());
    }
    List<CacheRecord.Layer> layers = new ArrayList<>();
    for (int i = 0; i < blobs.size(); i++) {
      layers.add(new CacheRecord.Layer(blobs.get(i), diffIds.get(i)));
      if (store.layers().blobFor(diffIds.get(i)).isEmpty()) {
        store.layers().register(diffIds.get(i), blobs.get(i));
      }
    }
    Digest key =
        new KeyBuilder("image").put("manifest", image.manifestDigest().toString()).digest();
    return new BaseImage(config, layers, key, Optional.of(image.manifestDigest()));
  }

  /** The default PATH docker build gives an image built {@code FROM scratch}. */
  public static final String DEFAULT_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /**
   * The empty image of {@code FROM scratch}: no layers, and, as BuildKit's empty image, the default
   * PATH in Env.
   */
  public static BaseImage scratch(Platform platform) {
    Digest key = new KeyBuilder("scratch").put("platform", platform.toString()).digest();
    ImageConfig config = ImageConfig.empty(platform).withEnv("PATH", DEFAULT_PATH);
    return new BaseImage(config, List.of(), key, Optional.empty());
  }
}
