package dev.jbuild.builder.run;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.AtomicFiles;
import dev.jbuild.layercache.store.StorePermissions;
import dev.jbuild.runner.Trees;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The directories behind {@code RUN --mount=type=cache}: {@code <root>/cachemounts/<hash of id>},
 * kept across builds (they are never part of a layer or a cache key). Sharing modes as BuildKit:
 * {@code shared} lets concurrent steps use the directory at once, {@code locked} makes them take
 * turns, {@code private} gives a step that finds the directory in use a fresh empty one.
 */
public final class CacheMounts {
  private final Path dir;

  /** FileChannel locks belong to the JVM: steps of one build take turns on these first. */
  private static final java.util.concurrent.ConcurrentHashMap<
          String, java.util.concurrent.Semaphore>
      LOCAL = new java.util.concurrent.ConcurrentHashMap<>();

  public CacheMounts(Path storeRoot) {
    this.dir = storeRoot.resolve("cachemounts");
  }

  /** How a cache mount is shared between concurrent steps. */
  public enum Sharing {
    SHARED,
    PRIVATE,
    LOCKED
  }

  /** A cache directory in use; closing releases its lock (and drops a private scratch copy). */
  public record Lease(Path path, Release release) implements java.io.Closeable {
    @Override
    public void close() throws IOException {
      release.run();
    }
  }

  /** What closing a lease does. */
  @FunctionalInterface
  public interface Release {
    void run() throws IOException;
  }

  /**
   * Gets the cache directory for {@code id}, creating it with {@code mode}, {@code uid} and {@code
   * gid} the first time (the options of the first mount win, as in BuildKit).
   */
  public Lease acquire(String id, Sharing sharing, int mode, long uid, long gid, Path scratchParent)
      throws IOException {
    return acquire(id, sharing, mode, uid, gid, scratchParent, null);
  }

  /**
   * The same; a directory created now (or a private scratch one) starts with a copy of what {@code
   * seed} holds ({@code from=STAGE,source=PATH}: BuildKit's cache mount based on its input).
   */
  public Lease acquire(
      String id, Sharing sharing, int mode, long uid, long gid, Path scratchParent, Path seed)
      throws IOException {
    String name = Digest.sha256(id.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 24);
    Path d = dir.resolve(name);
    if (!Files.isDirectory(d)) {
      StorePermissions.createPrivateDirectories(dir);
      AtomicFiles.sweep(dir); // .id temp files of killed builds
      Path tmp = Files.createTempDirectory(dir, ".new-");
      try {
        if (seed != null) {
          Trees.copyContents(seed, tmp);
        }
        Posix.lchown(tmp, uid, gid);
        Posix.chmod(tmp, mode);
        if (AtomicFiles.moveIfAbsent(tmp, d)) {
          // which id the hashed name stands for (for people looking at the store)
          AtomicFiles.write(dir.resolve(name + ".id"), id.getBytes(StandardCharsets.UTF_8));
        }
      } finally {
        // still there when another build created it first: use theirs
        if (Files.exists(tmp, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Trees.delete(tmp);
        }
      }
    }
    if (sharing == Sharing.SHARED) {
      return new Lease(d, () -> {});
    }
    java.util.concurrent.Semaphore local =
        LOCAL.computeIfAbsent(d.toString(), k -> new java.util.concurrent.Semaphore(1));
    if (sharing == Sharing.LOCKED) {
      local.acquireUninterruptibly();
      FileChannel ch = null;
      try {
        ch =
            FileChannel.open(
                dir.resolve(name + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = ch.lock();
        FileChannel c = ch;
        return new Lease(
            d,
            () -> {
              try {
                lock.release();
                c.close();
              } finally {
                local.release();
              }
            });
      } catch (IOException | RuntimeException e) {
        if (ch != null) {
          ch.close();
        }
        local.release();
        throw e;
      }
    }
    if (local.tryAcquire()) {
      FileChannel ch =
          FileChannel.open(
              dir.resolve(name + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      Optional<FileLock> lock = Optional.ofNullable(tryLock(ch));
      if (lock.isPresent()) {
        return new Lease(
            d,
            () -> {
              try {
                lock.get().release();
                ch.close();
              } finally {
                local.release();
              }
            });
      }
      ch.close();
      local.release();
    }
    Path scratch = Files.createTempDirectory(scratchParent, "cache-");
    if (seed != null) {
      Trees.copyContents(seed, scratch);
    }
    Posix.lchown(scratch, uid, gid);
    Posix.chmod(scratch, mode);
    return new Lease(scratch, () -> Trees.delete(scratch));
  }

  private static FileLock tryLock(FileChannel ch) throws IOException {
    try {
      return ch.tryLock();
    } catch (java.nio.channels.OverlappingFileLockException e) {
      return null; // held by another stage of this build
    }
  }

  /** Removes every cache mount directory (jbuild prune --all). Returns how many. */
  public int removeAll() throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int n = 0;
    try (var list = Files.list(dir)) {
      for (Path p : list.toList()) {
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          n++;
        }
        Trees.delete(p);
      }
    }
    return n;
  }
}
