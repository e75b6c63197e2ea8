package dev.jbuild.builder.steps;

import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.ContextException;
import dev.jbuild.builder.context.ContextFile;
import dev.jbuild.builder.context.FileHashCache;
import dev.jbuild.builder.context.IgnoreFilter;
import dev.jbuild.builder.copy.CopyItem;
import dev.jbuild.builder.core.BaseImage;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.Snapshot;
import dev.jbuild.runner.Snapshots;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * COPY --from: the key holds the stage's key or the image's digest (it stands for the content, so
 * nothing is read then); on a miss the image is mounted read-only and its sources resolved inside
 * it, symlinks followed only within it.
 */
final class CopyFrom {
  private CopyFrom() {}

  /**
   * Mounts {@code image} (an empty directory for one without layers) and adds the items its sources
   * match.
   *
   * @return the mount to close once the layer is written, or null when nothing was mounted
   */
  static Snapshot addItems(
      Store store, BaseImage image, List<String> sources, CopyItems items, List<CopyItem> out)
      throws IOException, StepFailure {
    Snapshot source =
        image.layers().isEmpty() ? null : Snapshots.mountReadOnly(store, image.diffIds());
    try {
      Path root = source == null ? store.newTempDir("empty") : source.root();
      BuildContext tree = new BuildContext(root, IgnoreFilter.NONE, FileHashCache.inMemory());
      for (String s : sources) {
        List<ContextFile> files;
        try {
          files = tree.resolve(s, true);
        } catch (ContextException e) {
          throw BuildErrors.copySourceInImage(e.getMessage());
        }
        items.add(out, tree, s, files, false);
      }
      return source;
    } catch (IOException | StepFailure | RuntimeException e) {
      if (source != null) {
        source.close();
      }
      throw e;
    }
  }
}
