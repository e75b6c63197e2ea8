package dev.jbuild.builder;

import dev.jbuild.layercache.store.Image;
import java.util.List;

/**
 * A finished build.
 *
 * @param image the image in the store (its ID is the config digest)
 * @param tags the names it was given
 * @param steps how many steps ran
 * @param cached how many of them came from the cache
 * @param keys the cache keys of every step of the build (for --cache-to)
 */
public record BuildResult(
    Image image, List<String> tags, int steps, int cached, List<String> keys) {
  public BuildResult {
    tags = List.copyOf(tags);
    keys = List.copyOf(keys);
  }
}
