package dev.jbuild.runner.chroot;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.Snapshot;
import dev.jbuild.runner.Trees;
import dev.jbuild.runner.workspace.RunDir;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A view of a layer chain or of stacked directories for chroot isolation, where nothing can be
 * mounted: the merged tree copied into a run directory (swept after a crash), deleted on close.
 * Writes to it are thrown away with it, as with a writable overlay view.
 */
public final class CopiedView implements Snapshot {
  private final RunDir dir;
  private boolean closed;

  private CopiedView(RunDir dir) {
    this.dir = dir;
  }

  /** The chain {@code diffIds} (base first). */
  public static CopiedView of(Store store, List<Digest> diffIds) throws IOException {
    return directories(store, store.layers().unpacked(diffIds).reversed());
  }

  /** Directories stacked as layers, top first (whiteouts and opaque directories apply). */
  public static CopiedView directories(Store store, List<Path> topFirst) throws IOException {
    RunDir d = RunDir.create(store.root());
    try {
      Files.createDirectory(d.rootfs());
      Materializer.build(topFirst.reversed(), d.rootfs());
      return new CopiedView(d);
    } catch (IOException | RuntimeException e) {
      Trees.delete(d.dir());
      throw e;
    }
  }

  @Override
  public Path root() {
    return dir.rootfs();
  }

  @Override
  public synchronized void close() throws IOException {
    if (!closed) {
      closed = true;
      Trees.delete(dir.dir());
    }
  }
}
