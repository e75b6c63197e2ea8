package dev.jbuild.builder.publish;

import dev.jbuild.layercache.model.ImageReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a build does besides writing its image into the store: cache records imported before it, and
 * after it the image ID file, exports, pushes and the cache export, in that order.
 *
 * @param cacheFrom registry caches whose records are imported first (a missing one is a warning)
 * @param iidFile where the image ID is written, if anywhere
 * @param exports the --output exports
 * @param push the names the image is pushed to
 * @param cacheTo registry caches this build's records are exported to
 * @param quiet report nothing about pushes (-q)
 */
public record Publication(
    List<ImageReference> cacheFrom,
    Optional<Path> iidFile,
    List<Export> exports,
    List<ImageReference> push,
    List<ImageReference> cacheTo,
    boolean quiet) {
  public Publication {
    cacheFrom = List.copyOf(cacheFrom);
    exports = List.copyOf(exports);
    push = List.copyOf(push);
    cacheTo = List.copyOf(cacheTo);
  }

  /** Nothing besides the store. */
  public static Publication none() {
    return new Publication(List.of(), Optional.empty(), List.of(), List.of(), List.of(), false);
  }
}
