package dev.jbuild.layercache.registry;

import java.io.IOException;

/**
 * Retries a blob transfer after a transient failure (a dropped connection, a 5xx): three tries, 0.5
 * s then 1 s apart. Digest mismatches, 4xx answers and TLS errors are not retried.
 */
final class Retry {
  static final int ATTEMPTS = 3;

  @FunctionalInterface
  interface Transfer {
    void run() throws IOException;
  }

  private Retry() {}

  static void run(Progress progress, String id, Transfer transfer) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        transfer.run();
        return;
      } catch (RegistryException e) {
        if (!e.retryable() || attempt >= ATTEMPTS) {
          throw e;
        }
        progress.message(
            id + ": " + e.getMessage() + "; retrying (" + attempt + "/" + (ATTEMPTS - 1) + ")");
        try {
          Thread.sleep(500L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }
}
