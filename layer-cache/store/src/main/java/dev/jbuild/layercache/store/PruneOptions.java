package dev.jbuild.layercache.store;

import java.time.Duration;
import java.util.Objects;

/**
 * What prune removes besides unreachable content: dangling images always; cache records not used
 * within {@code keepCache} (default {@link #DEFAULT_KEEP_CACHE}), or all of them when {@code
 * allCache}. {@code dryRun} only reports.
 */
public record PruneOptions(Duration keepCache, boolean allCache, boolean dryRun) {
  /** Cache records used within the last 7 days survive a prune by default. */
  public static final Duration DEFAULT_KEEP_CACHE = Duration.ofDays(7);

  public PruneOptions {
    Objects.requireNonNull(keepCache, "keepCache");
    if (keepCache.isNegative()) {
      throw new IllegalArgumentException("negative keep age " + keepCache);
    }
  }

  public static PruneOptions defaults() {
    return new PruneOptions(DEFAULT_KEEP_CACHE, false, false);
  }

  public PruneOptions withKeepCache(Duration d) {
    return new PruneOptions(d, allCache, dryRun);
  }

  public PruneOptions withAllCache(boolean all) {
    return new PruneOptions(keepCache, all, dryRun);
  }

  public PruneOptions withDryRun(boolean dry) {
    return new PruneOptions(keepCache, allCache, dry);
  }
}
