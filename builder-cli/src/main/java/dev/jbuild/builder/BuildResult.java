package dev.jbuild.builder;

import dev.jbuild.layercache.store.Image;
import java.util.List;

/**
 * A finished build.
 *
 * @param image the image in the store (its ID is the config digest); the first platform's of a
 *     multi-platform build
 * @param index the image index of a multi-platform build or of an attested one (what the tags
 *     name), else empty
 * @param images every platform's image, in the order of the index
 * @param tags the names it was given
 * @param steps how many steps ran
 * @param cached how many of them came from the cache
 * @param keys the cache keys of every step of the build (for --cache-to)
 */
public record BuildResult(
    Image image,
    java.util.Optional<dev.jbuild.layercache.model.Descriptor> index,
    List<Image> images,
    List<String> tags,
    int steps,
    int cached,
    List<String> keys) {
  public BuildResult {
    images = List.copyOf(images);
    tags = List.copyOf(tags);
    keys = List.copyOf(keys);
  }

  /** What the tags name: the index of a multi-platform build, else the image's manifest. */
  public dev.jbuild.layercache.model.Descriptor root() {
    return index.orElse(image.manifestDescriptor().withAnnotations(null));
  }

  /**
   * The ID to print and write: the index digest of a multi-platform build, else the image ID
   * (config digest), also when attestations put the one image under an index (as buildx's {@code
   * --iidfile}, which writes BuildKit's config digest for one platform).
   */
  public dev.jbuild.layercache.model.Digest id() {
    return images.size() > 1 ? index.orElseThrow().digest() : image.id();
  }
}
