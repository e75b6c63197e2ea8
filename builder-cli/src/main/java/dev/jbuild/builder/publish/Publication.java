package dev.jbuild.builder.publish;

import dev.jbuild.layercache.model.ImageReference;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What a build does besides writing its image into the store: cache records imported before it, and
 * after it the image ID file, exports, pushes and the cache export, in that order.
 *
 * @param cacheFrom caches whose records are imported first (a missing one is a warning)
 * @param iidFile where the image ID is written, if anywhere
 * @param exports the --output exports
 * @param push the names the image is pushed to
 * @param cacheTo caches this build's records are exported to ({@link CacheExport.Inline} is written
 *     into the image's config by the builder, before the image is stored)
 * @param quiet report nothing about pushes (-q)
 * @param metadataFile where the build's metadata JSON goes (buildx's {@code --metadata-file})
 */
public record Publication(
    List<CacheImport> cacheFrom,
    Optional<Path> iidFile,
    List<Export> exports,
    List<ImageReference> push,
    List<CacheExport> cacheTo,
    boolean quiet,
    Optional<Path> metadataFile) {
  public Publication {
    cacheFrom = List.copyOf(cacheFrom);
    exports = List.copyOf(exports);
    push = List.copyOf(push);
    cacheTo = List.copyOf(cacheTo);
    metadataFile = metadataFile == null ? Optional.empty() : metadataFile;
  }

  /** Whether the image's config carries its cache ({@code --cache-to type=inline}). */
  public boolean inlineCache() {
    for (CacheExport c : cacheTo) {
      if (c instanceof CacheExport.Inline) {
        return true;
      }
    }
    return false;
  }

  /** Nothing besides the store. */
  public static Publication none() {
    return new Publication(
        List.of(), Optional.empty(), List.of(), List.of(), List.of(), false, Optional.empty());
  }
}
