package dev.jbuild.builder.remote;

import dev.jbuild.builder.errors.BuildErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.lib.Repository;

/** The byte bound of one fetch: pack data received and checkout content. */
final class FetchBudget implements AutoCloseable {
  /** Submodule repositories opened for this checkout, closed with it. */
  final List<Repository> opened = new ArrayList<>();

  private final long max;
  private final String remote;
  private long content;

  FetchBudget(long max, String remote) {
    this.max = max;
    this.remote = remote;
  }

  @Override
  public void close() {
    opened.forEach(Repository::close);
  }

  void add(long bytes) throws IOException {
    content += bytes;
    if (content > max) {
      throw BuildErrors.remoteTooLarge(remote, max);
    }
  }

  /** Fails when the packs under {@code bare} passed the bound. */
  void check(Path bare) throws IOException {
    if (packBytes(bare) > max) {
      throw BuildErrors.remoteTooLarge(remote, max);
    }
  }

  org.eclipse.jgit.lib.ProgressMonitor monitor(Path bare) {
    return new org.eclipse.jgit.lib.BatchingProgressMonitor() {
      private long lastCheck;

      @Override
      public boolean isCancelled() {
        long now = System.nanoTime();
        if (now - lastCheck < 50_000_000L) {
          return false;
        }
        lastCheck = now;
        try {
          return packBytes(bare) > max;
        } catch (IOException e) {
          return false;
        }
      }

      @Override
      protected void onUpdate(String taskName, int workCurr, java.time.Duration d) {}

      @Override
      protected void onEndTask(String taskName, int workCurr, java.time.Duration d) {}

      @Override
      protected void onUpdate(
          String taskName, int workCurr, int workTotal, int percentDone, java.time.Duration d) {}

      @Override
      protected void onEndTask(
          String taskName, int workCurr, int workTotal, int percentDone, java.time.Duration d) {}
    };
  }

  private static long packBytes(Path bare) throws IOException {
    Path packs = bare.resolve("objects").resolve("pack");
    if (!Files.isDirectory(packs)) {
      return 0;
    }
    long n = 0;
    try (var s = Files.list(packs)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        n += Files.size(p);
      }
    }
    return n;
  }
}
