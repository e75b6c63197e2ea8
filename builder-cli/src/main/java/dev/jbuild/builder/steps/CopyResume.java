package dev.jbuild.builder.steps;

import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.copy.CopyWriter;
import dev.jbuild.builder.copy.TreeBuilder;
import dev.jbuild.builder.copy.TreeIndexes;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * What a COPY reuses from the layer the same step (same Dockerfile position, found through its
 * previous cache key) made in the last build: the blob up to its last still-valid checkpoint
 * ({@link CopyWriter}), and unchanged files of its unpacked tree, hard-linked ({@link
 * TreeBuilder}).
 */
final class CopyResume {
  private CopyResume() {}

  /** The layer this step made in the last build, if any. */
  static CacheRecord.Layer previousLayer(Store store, String previousKey) throws IOException {
    if (previousKey == null) {
      return null;
    }
    Optional<CacheRecord> prev = store.cache().get(previousKey);
    return prev.isPresent() && prev.get().layers().size() == 1
        ? prev.get().layers().getFirst()
        : null;
  }

  /** The previous layer's blob and checkpoints when it can be resumed (uncompressed, stored). */
  static CopyWriter.Previous resumable(Store store, CacheRecord.Layer previous) {
    if (previous == null
        || !MediaTypes.OCI_LAYER.equals(previous.blob().mediaType())
        || !previous.blob().digest().equals(previous.diffId())
        || !store.blobs().has(previous.diffId())) {
      return null;
    }
    CopyWriter.Saved saved =
        CopyWriter.loadCheckpoints(CopyWriter.checkpointsPath(store, previous.diffId()));
    return saved == null || saved.checkpoints().isEmpty()
        ? null
        : new CopyWriter.Previous(
            store.blobs().path(previous.diffId()), saved.checkpoints(), saved.stamp());
  }

  /**
   * A builder of the layer's unpacked form that hard-links what did not change from {@code
   * previous}'s tree (when that is unpacked and indexed).
   */
  static TreeBuilder treeBuilder(
      Store store, BuildContext context, Instant sourceDateEpoch, CacheRecord.Layer previous)
      throws IOException {
    Path staging = store.newTempDir("copytree");
    Path tree = Files.createDirectory(staging.resolve("tree"));
    Path prevTree = null;
    TreeBuilder.Index prevIndex = null;
    if (previous != null) {
      prevTree = store.layers().ifUnpacked(previous.diffId()).orElse(null);
      prevIndex =
          prevTree == null
              ? null
              : TreeBuilder.Index.read(TreeIndexes.path(store, previous.diffId()));
    }
    return new TreeBuilder(tree, context, sourceDateEpoch, prevTree, prevIndex);
  }
}
