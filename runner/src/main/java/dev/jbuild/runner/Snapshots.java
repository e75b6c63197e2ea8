package dev.jbuild.runner;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.exec.ReadOnlyView;
import java.io.IOException;
import java.util.List;

/** Read-only views of layer chains (COPY --from, --chown name lookup, RUN --mount from=). */
public final class Snapshots {
  private Snapshots() {}

  /**
   * Mounts the chain {@code diffIds} (base first) read-only; the view's {@link Snapshot#root()} is
   * the merged filesystem. Close it when done (a shutdown hook and the start-up sweep are the
   * safety nets).
   */
  public static Snapshot mountReadOnly(Store store, List<Digest> diffIds) throws IOException {
    return ReadOnlyView.mount(store, diffIds);
  }
}
