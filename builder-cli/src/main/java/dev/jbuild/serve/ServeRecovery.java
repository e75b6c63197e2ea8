package dev.jbuild.serve;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.container.Containers;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What a daemon does at start, under its store lock, after a predecessor was killed: the same
 * clean-up a CLI command does after a kill, through the same code. {@link Store#open} sweeps the
 * staging of dead processes (half-written blobs, records, layers); {@link Containers#open} runs the
 * runner's sweep (run directories of dead processes: their runtime container, mounts and files) and
 * the containers' (containers whose monitor died).
 */
public final class ServeRecovery {
  private ServeRecovery() {}

  public static void run(Path storeRoot, RequestLog log) throws IOException {
    try (Store store = Store.open(storeRoot)) {
      try {
        Containers.open(store, null);
      } catch (IOException | RuntimeException e) {
        // no runtime here (chroot isolation): runs are swept by the next RUN step
        log.line("jbuild serve: start-up sweep of runs and containers skipped: " + e.getMessage());
      }
    }
  }
}
