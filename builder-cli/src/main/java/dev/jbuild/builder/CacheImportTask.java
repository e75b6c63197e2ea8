package dev.jbuild.builder;

import dev.jbuild.builder.progress.Progress;
import dev.jbuild.builder.publish.Publication;
import dev.jbuild.builder.publish.Publisher;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The {@code --cache-from} imports, run on their own thread while the stages start: the bases
 * download and the context is hashed meanwhile, and every cache lookup waits for them ({@link
 * dev.jbuild.builder.exec.StepExecutor#lookupAfter}). What the imports report (records imported,
 * warnings) is printed once they are done, through the progress display (so a live terminal view is
 * not torn), or on the log when the display is quiet.
 */
final class CacheImportTask {
  private final CompletableFuture<List<String>> lines;
  private final Progress progress;
  private final PrintWriter log;
  private boolean printed;

  private CacheImportTask(
      CompletableFuture<List<String>> lines, Progress progress, PrintWriter log) {
    this.lines = lines;
    this.progress = progress;
    this.log = log;
  }

  static CacheImportTask start(
      Publisher publisher, Publication publication, Progress progress, PrintWriter log) {
    CompletableFuture<List<String>> f = new CompletableFuture<>();
    if (publication.cacheFrom().isEmpty()) {
      f.complete(List.of());
    } else {
      Thread.ofVirtual()
          .name("cache-import")
          .start(
              () -> {
                try {
                  dev.jbuild.builder.progress.Trace.mark("cache import start");
                  f.complete(publisher.importCaches(publication));
                  dev.jbuild.builder.progress.Trace.mark("cache import done");
                } catch (Throwable t) {
                  f.completeExceptionally(t);
                }
              });
    }
    return new CacheImportTask(f, progress, log);
  }

  /** Whether the imports are over (their report may not be printed yet). */
  boolean done() {
    return lines.isDone();
  }

  /** Waits for the imports and prints their report (once). */
  void await() throws InterruptedException {
    List<String> report;
    try {
      report = lines.get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      report =
          List.of(
              "jbuild: warning: cannot import caches: "
                  + (c.getMessage() == null ? c.toString() : c.getMessage()));
    }
    synchronized (this) {
      if (printed) {
        return;
      }
      printed = true;
      for (String l : report) {
        if (progress.quiet()) {
          log.println(l);
          log.flush();
        } else {
          progress.message(l);
        }
      }
    }
  }

  /** {@link #await} at the end of the build, whatever happened: the store stays open until then. */
  void finish() {
    boolean interrupted = false;
    while (true) {
      try {
        await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
