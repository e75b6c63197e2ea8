package dev.jbuild.layercache.registry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * The layers of a pull or a push, moved on virtual threads, at most {@code parallelism} at once.
 * The first failure (in the items' order) cancels the others and is thrown once every thread has
 * ended; a failure that is not an IOException comes wrapped in one.
 */
final class ParallelTransfers {
  /** Moves one item. */
  @FunctionalInterface
  interface Transfer<T, R> {
    R run(T item) throws IOException;
  }

  private ParallelTransfers() {}

  /** The results of {@code transfer} over {@code items}, in the items' order. */
  static <T, R> List<R> run(List<T> items, int parallelism, Transfer<T, R> transfer)
      throws IOException {
    Semaphore permits = new Semaphore(parallelism);
    try (var executor = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<R>> futures = new ArrayList<>();
      for (T item : items) {
        futures.add(
            executor.submit(
                () -> {
                  permits.acquire();
                  try {
                    return transfer.run(item);
                  } finally {
                    permits.release();
                  }
                }));
      }
      List<R> out = new ArrayList<>();
      IOException first = null;
      for (Future<R> f : futures) {
        try {
          out.add(f.get());
        } catch (ExecutionException e) {
          if (first == null) {
            first =
                e.getCause() instanceof IOException io
                    ? io
                    : new IOException(
                        java.util.Objects.requireNonNullElse(
                            e.getCause().getMessage(), e.getCause().toString()),
                        e.getCause());
            futures.forEach(x -> x.cancel(true));
          }
        } catch (CancellationException e) {
          // cancelled after the first failure
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          futures.forEach(x -> x.cancel(true)); // else closing the executor waits for them all
          throw new IOException("interrupted", e);
        }
      }
      if (first != null) {
        throw first;
      }
      return out;
    }
  }
}
