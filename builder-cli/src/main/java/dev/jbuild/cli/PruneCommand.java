package dev.jbuild.cli;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.store.PruneOptions;
import dev.jbuild.layercache.store.PruneReport;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.store.StoreLock;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild prune}: removes dangling images, cache records not used within the keep age (7 days
 * by default; all of them with {@code --all}), and every blob, unpacked layer and registration that
 * nothing kept reaches. Waits for running builds (it takes the store's exclusive lock).
 */
@Command(
    name = "prune",
    mixinStandardHelpOptions = true,
    description = {
      "Remove what no tag and no recent cache record needs:",
      "dangling images, build cache records unused for longer than --keep-cache",
      "(default 7d), and blobs and unpacked layers nothing reaches any more."
    })
public final class PruneCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-a", "--all"},
      description = "Remove all build cache records, whatever their age.")
  boolean all;

  @Option(
      names = "--keep-cache",
      paramLabel = "DURATION",
      description = "Keep cache records used within this time (e.g. 24h, 7d, 0). Default: 7d.")
  String keepCache;

  @Option(names = "--dry-run", description = "Only report what would be removed.")
  boolean dryRun;

  @Override
  public Integer call() throws Exception {
    Duration keep = PruneOptions.DEFAULT_KEEP_CACHE;
    if (keepCache != null) {
      try {
        keep = Formats.parseDuration(keepCache);
      } catch (IllegalArgumentException e) {
        throw new UserException(ExitCodes.USAGE, "--keep-cache: " + e.getMessage());
      }
    }
    PruneOptions options =
        PruneOptions.defaults().withKeepCache(keep).withAllCache(all).withDryRun(dryRun);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    PruneReport r;
    try (Store store = Store.open(JbuildCommand.of(spec).storeRoot())) {
      if (dryRun) {
        r = store.gc().prune(options);
      } else {
        Optional<StoreLock> quick = store.tryLockExclusive(Duration.ofMillis(500));
        StoreLock lock;
        if (quick.isPresent()) {
          lock = quick.get();
        } else {
          err.println("jbuild prune: waiting for running builds to finish...");
          err.flush();
          lock = store.lockExclusive();
        }
        try {
          r = store.gc().prune(options);
          // the builder's side data of what is gone: miss explanations, and with --all the
          // RUN --mount=type=cache directories (as docker builder prune --all)
          dev.jbuild.builder.cache.MissExplainer.prune(store);
          dev.jbuild.builder.copy.TreeIndexes.prune(store);
          if (all) {
            int n = new dev.jbuild.builder.run.CacheMounts(store.root()).removeAll();
            if (n > 0) {
              out.println("Deleted cache mounts: " + n);
            }
          }
        } finally {
          lock.close();
        }
      }
    }
    String verb = dryRun ? "Would delete" : "Deleted";
    if (!r.removedImages().isEmpty()) {
      out.println(verb + " images:");
      for (Descriptor d : r.removedImages()) {
        out.println("deleted: " + d.digest());
      }
      out.println();
    }
    out.println(verb + " build cache records: " + r.removedCacheKeys().size());
    out.println(
        verb + " blobs: " + r.removedBlobs().size() + " (" + Formats.size(r.blobBytes()) + ")");
    out.println(
        verb
            + " unpacked layers: "
            + r.removedLayers().size()
            + " ("
            + Formats.size(r.layerBytes())
            + ")");
    out.println(
        (dryRun ? "Total reclaimable space: " : "Total reclaimed space: ")
            + Formats.size(r.totalBytes()));
    out.flush();
    return ExitCodes.OK;
  }
}
