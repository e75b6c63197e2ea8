package dev.jbuild.runner.container;

import dev.jbuild.layercache.fs.At;
import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.Trees;
import dev.jbuild.runner.overlay.OverlayLayout;
import dev.jbuild.runner.overlay.OverlayMount;
import dev.jbuild.runner.runc.OciRuntime;
import dev.jbuild.runner.sys.Syscalls;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;

/**
 * A container's file system as its own processes see it, for {@code jbuild cp}: the root filesystem
 * with the container's volumes and bind mounts on their targets, as one {@link RootDir} that every
 * container path is resolved in (symlinks of the container followed inside it, never on the host).
 *
 * <p>Running: the root of its first process, {@code /proc/PID/root}, opened once; a descriptor of
 * it resolves paths through the container's own mount tree (volumes, binds, tmpfs). Not running: a
 * platform thread leaves jbuild's mount namespace ({@code unshare(CLONE_NEWNS)}, mounts made
 * private), mounts the container's overlay (its image layers and its own upper directory, with a
 * work directory of its own) and binds its volumes and bind mounts (from config.json) onto their
 * targets, resolved inside the overlay; the thread stays in that namespace until the copy is done,
 * then exits, and the namespace with every mount in it goes with it, also when jbuild is killed. A
 * lock in the container's directory keeps {@code start} from mounting the same upper directory
 * meanwhile.
 */
final class ContainerRoot implements AutoCloseable {
  static final String LOCK = "mount.lock";
  private static final int CLONE_NEWNS = 0x00020000;

  private final RootDir root;
  private final CountDownLatch release;
  private final Thread holder;
  private final Closeable lockFile;

  private ContainerRoot(RootDir root, CountDownLatch release, Thread holder, Closeable lock) {
    this.root = root;
    this.release = release;
    this.holder = holder;
    this.lockFile = lock;
  }

  RootDir root() {
    return root;
  }

  /** Opens the file system of container {@code s} (directory {@code cdir}). */
  static ContainerRoot open(Store store, OciRuntime runtime, ContainerState s, Path cdir)
      throws IOException {
    String id = s.record().id();
    if (s.isRunning()) {
      long pid = runtime.pid(id);
      if (pid > 0) {
        RootDir r = RootDir.open(Path.of("/proc", Long.toString(pid), "root"));
        // the pid is still this container's first process (not one recycled meanwhile)
        if (runtime.pid(id) == pid) {
          return new ContainerRoot(r, null, null, null);
        }
        r.close();
      }
      throw RunnerErrors.copyFailed(
          "container " + s.record().name() + " is starting or stopping: try again");
    }
    Closeable lock = lock(cdir);
    try {
      return mountStopped(store, s, cdir, lock);
    } catch (IOException | RuntimeException | Error e) {
      lock.close();
      throw e;
    }
  }

  /**
   * Who holds a container's lock in this process: a {@link FileLock} is the whole process's (a
   * second lock from another thread throws), so threads of one jbuild (the daemon serving two
   * requests) queue here before taking the file lock, which orders them against other processes.
   */
  private static final ConcurrentHashMap<Path, Semaphore> HELD = new ConcurrentHashMap<>();

  /** The lock {@code start} and the copy of a stopped container take (released on close). */
  static Closeable lock(Path cdir) throws IOException {
    Path file = cdir.resolve(LOCK).toAbsolutePath().normalize();
    Semaphore inProcess = HELD.computeIfAbsent(file, k -> new Semaphore(1));
    try {
      inProcess.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for " + file);
    }
    FileChannel ch = null;
    try {
      ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock unused = ch.lock();
    } catch (IOException | RuntimeException e) {
      try {
        if (ch != null) {
          ch.close();
        }
      } finally {
        inProcess.release();
      }
      throw e;
    }
    FileChannel held = ch;
    return () -> {
      try {
        held.close();
      } finally {
        inProcess.release();
      }
    };
  }

  private static ContainerRoot mountStopped(
      Store store, ContainerState s, Path cdir, Closeable lock) throws IOException {
    List<Path> lowers = new ArrayList<>(store.layers().unpacked(s.record().layers()).reversed());
    if (lowers.isEmpty()) {
      Files.createDirectories(cdir.resolve("empty"));
      lowers.add(cdir.resolve("empty"));
    }
    Path rootfs = cdir.resolve("rootfs");
    Path upper = cdir.resolve("upper");
    Path work = cdir.resolve("cp-work");
    Trees.delete(work);
    Files.createDirectories(work);
    Files.createDirectories(rootfs);
    List<JsonObject> binds = binds(cdir);
    CompletableFuture<RootDir> ready = new CompletableFuture<>();
    CountDownLatch release = new CountDownLatch(1);
    Thread t =
        Thread.ofPlatform()
            .name("jbuild-cp-mounts")
            .daemon()
            .start(
                () -> {
                  RootDir r = null;
                  try {
                    Syscalls.unshare(CLONE_NEWNS);
                    Syscalls.mount(
                        null, Path.of("/"), null, Syscalls.MS_REC | Syscalls.MS_PRIVATE, null);
                    OverlayMount.mount(rootfs, new OverlayLayout(lowers, upper, work));
                    r = RootDir.open(rootfs);
                    for (JsonObject m : binds) {
                      bind(r, m);
                    }
                    ready.complete(r);
                  } catch (Throwable e) {
                    if (r != null) {
                      r.close();
                    }
                    ready.completeExceptionally(e);
                    return;
                  }
                  // the namespace, and every mount in it, lives as long as this thread
                  awaitQuietly(release);
                  try {
                    // a fuse-overlayfs daemon would keep the namespace alive: it ends at unmount
                    Syscalls.umount(rootfs, Syscalls.MNT_DETACH);
                  } catch (IOException e) {
                    // the namespace goes with this thread anyway
                  }
                });
    try {
      return new ContainerRoot(ready.get(), release, t, lock);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      throw c instanceof IOException io
          ? RunnerErrors.mountFailed("cannot mount the container's file system", io)
          : new IOException(c.getMessage(), c);
    } catch (InterruptedException e) {
      release.countDown();
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while mounting the container");
    }
  }

  /** The bind mounts of config.json (volumes, -v and --mount binds, /etc/hosts ...). */
  private static List<JsonObject> binds(Path cdir) throws IOException {
    List<JsonObject> out = new ArrayList<>();
    Path config = cdir.resolve("config.json");
    if (!Files.exists(config)) {
      return out;
    }
    JsonObject spec = Json.parseObject(Files.readAllBytes(config));
    if (spec.array("mounts") == null) {
      return out;
    }
    for (Json j : spec.array("mounts").elements()) {
      if (j instanceof JsonObject m
          && "bind".equals(m.string("type", ""))
          && m.string("source", "").startsWith("/")
          && m.string("destination", "").startsWith("/")) {
        out.add(m);
      }
    }
    return out;
  }

  /**
   * Binds {@code m}'s source onto its destination, resolved inside the overlay; a destination the
   * file system lacks, or of the other kind (file over directory), is left out, as nothing was ever
   * mounted there.
   */
  private static void bind(RootDir r, JsonObject m) throws IOException {
    Path source = Path.of(m.string("source"));
    String target = m.string("destination");
    int fd;
    try {
      fd = r.resolve(target, true, false);
    } catch (IOException e) {
      return;
    }
    try {
      Stat t = At.fstat(fd);
      if (!Files.exists(source) || t.isDirectory() != Files.isDirectory(source)) {
        return;
      }
      Syscalls.mount(
          source.toString(),
          Path.of(At.procPath(fd, "")),
          null,
          Syscalls.MS_BIND | Syscalls.MS_REC,
          null);
    } finally {
      At.close(fd);
    }
    List<String> options = m.strings("options") == null ? List.of() : m.strings("options");
    if (options.contains("ro")) {
      int top = r.resolve(target, true, false); // the bind mount now, not the directory below
      try {
        Syscalls.mount(
            null,
            Path.of(At.procPath(top, "")),
            null,
            Syscalls.MS_BIND | Syscalls.MS_REMOUNT | Syscalls.MS_RDONLY,
            null);
      } finally {
        At.close(top);
      }
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    while (true) {
      try {
        latch.await();
        return;
      } catch (InterruptedException e) {
        // only the release ends this namespace
      }
    }
  }

  @Override
  public void close() throws IOException {
    root.close();
    if (release != null) {
      release.countDown();
      try {
        holder.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (lockFile != null) {
      lockFile.close();
    }
  }
}
