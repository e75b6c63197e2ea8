package dev.jbuild.runner.exec;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.RunRequest;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.Snapshot;
import dev.jbuild.runner.Trees;
import dev.jbuild.runner.overlay.OverlayLayout;
import dev.jbuild.runner.overlay.OverlayMount;
import dev.jbuild.runner.runc.OciRuntime;
import dev.jbuild.runner.sys.MountTable;
import dev.jbuild.runner.sys.SyscallException;
import dev.jbuild.runner.sys.Syscalls;
import dev.jbuild.runner.workspace.Cleanups;
import dev.jbuild.runner.workspace.RunDir;
import dev.jbuild.runner.workspace.Sweeps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A read-only overlay of a layer chain in a run directory (so the sweep removes it after a crash).
 * Overlayfs needs two lower directories without an upper one: empty placeholders fill in for chains
 * of zero or one layer.
 */
public final class MountedView implements Snapshot {
  private final RunDir dir;
  private final Cleanups.Action cleanup = this::close;
  private boolean closed;

  private MountedView(RunDir dir) {
    this.dir = dir;
  }

  /** A read-only view of the chain {@code diffIds} (base first). */
  public static MountedView mount(Store store, List<Digest> diffIds) throws IOException {
    sweep(store);
    return mount(store, new ArrayList<>(store.layers().unpacked(diffIds).reversed()), false);
  }

  /** A writable view of {@code directory}: writes go to a scratch upper directory, then away. */
  public static MountedView writable(Store store, Path directory) throws IOException {
    sweep(store);
    return mount(store, new ArrayList<>(List.of(directory)), true);
  }

  /**
   * A view of directories stacked as overlay lowers (top first; whiteouts in an upper one hide
   * names of the lower ones), read-only or with a scratch upper directory whose writes go away.
   */
  public static MountedView directories(Store store, List<Path> topFirst, boolean writable)
      throws IOException {
    sweep(store);
    return mount(store, new ArrayList<>(topFirst), writable);
  }

  private static void sweep(Store store) throws IOException {
    OciRuntime runtime = null;
    try {
      runtime = Runtimes.forStore(store.root(), RunRequest.DEFAULT_RUNTIME);
    } catch (RunnerException e) {
      // without runc there are no containers to sweep, only mounts and directories
    }
    Sweeps.once(store.root(), runtime);
  }

  private static MountedView mount(Store store, List<Path> lowers, boolean writable)
      throws IOException {
    MountedView view = new MountedView(RunDir.create(store.root()));
    if (!Cleanups.register(view.cleanup)) {
      Trees.delete(view.dir.dir());
      throw new RunnerException("jbuild is shutting down", RunnerErrors.CANNOT_CREATE);
    }
    try {
      Files.createDirectories(view.dir.rootfs());
      if (writable) {
        Files.createDirectories(view.dir.upper());
        Files.createDirectories(view.dir.work());
        OverlayMount.mount(
            view.dir.rootfs(), new OverlayLayout(lowers, view.dir.upper(), view.dir.work()));
        return view;
      }
      while (lowers.size() < 2) {
        Path empty = Files.createDirectories(view.dir.empty().resolve("e" + lowers.size()));
        lowers.add(empty);
      }
      OverlayMount.mount(view.dir.rootfs(), OverlayLayout.readOnly(lowers));
      return view;
    } catch (IOException | RuntimeException | Error e) {
      view.close();
      throw e;
    }
  }

  @Override
  public Path root() {
    return dir.rootfs();
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      try {
        Syscalls.umount(dir.rootfs(), Syscalls.MNT_DETACH);
      } catch (SyscallException e) {
        // not mounted (failed before) or already gone
      }
      MountTable.unmountAll(dir.dir());
      Trees.delete(dir.dir());
    } finally {
      Cleanups.unregister(cleanup);
    }
  }
}
