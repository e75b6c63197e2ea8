package dev.jbuild.runner;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.chroot.CopiedView;
import dev.jbuild.runner.exec.MountedView;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Read-only views of layer chains (COPY --from, --chown name lookup, RUN --mount from=): overlay
 * mounts, or copies in chroot isolation (no mounts there).
 */
public final class Snapshots {
  private Snapshots() {}

  /**
   * Mounts the chain {@code diffIds} (base first) read-only; the view's {@link Snapshot#root()} is
   * the merged filesystem. Close it when done (a shutdown hook and the start-up sweep are the
   * safety nets).
   */
  public static Snapshot mountReadOnly(Store store, List<Digest> diffIds) throws IOException {
    if (Isolation.current() == Isolation.CHROOT) {
      return CopiedView.of(store, diffIds);
    }
    return MountedView.mount(store, diffIds);
  }

  /**
   * A writable view of {@code directory} whose writes are thrown away when it is closed (RUN {@code
   * --mount=type=bind,rw}): an overlay with a scratch upper directory, in a run directory so that
   * the start-up sweep removes it if jbuild is killed.
   */
  public static Snapshot mountWritable(Store store, Path directory) throws IOException {
    if (Isolation.current() == Isolation.CHROOT) {
      return CopiedView.directories(store, List.of(directory));
    }
    return MountedView.writable(store, directory);
  }

  /**
   * Directories stacked as overlay lower layers, top first (a whiteout in an upper one hides that
   * name of the lower ones), read-only, or {@code writable} with writes thrown away on close.
   */
  public static Snapshot mountDirectories(Store store, List<Path> topFirst, boolean writable)
      throws IOException {
    if (Isolation.current() == Isolation.CHROOT) {
      return CopiedView.directories(store, topFirst);
    }
    return MountedView.directories(store, topFirst, writable);
  }
}
