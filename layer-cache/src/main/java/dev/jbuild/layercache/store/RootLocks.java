package dev.jbuild.layercache.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The locks of one store root, shared by every {@link Store} of this JVM that opens the root.
 *
 * <p>FileChannel locks belong to the process, and overlapping ones taken in one JVM throw, so each
 * file lock sits behind a process-wide Java lock: the store lock ({@code <root>/lock}) behind a
 * reentrant read/write lock (the first shared holder takes the shared file lock, the last one
 * releases it; an exclusive holder takes the exclusive file lock), the index lock ({@code
 * <root>/index.lock}, held while index.json is rewritten) behind a reentrant lock.
 */
final class RootLocks {
  private static final ConcurrentHashMap<Path, RootLocks> BY_ROOT = new ConcurrentHashMap<>();

  private final Path storeLockFile;
  private final Path indexLockFile;
  private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
  private final Object sharedGuard = new Object();
  private int sharedHolders;
  private FileChannel sharedChannel;
  private FileLock sharedFileLock;
  private final ReentrantLock indexLock = new ReentrantLock();

  private RootLocks(Path root) {
    this.storeLockFile = root.resolve("lock");
    this.indexLockFile = root.resolve("index.lock");
  }

  static RootLocks forRoot(Path realRoot) {
    return BY_ROOT.computeIfAbsent(realRoot, RootLocks::new);
  }

  StoreLock shared() {
    rw.readLock().lock();
    if (rw.isWriteLockedByCurrentThread()) {
      // the exclusive file lock already covers this thread
      return new Held(false, rw.readLock()::unlock);
    }
    try {
      synchronized (sharedGuard) {
        if (sharedHolders == 0) {
          sharedChannel = open(storeLockFile);
          sharedFileLock = sharedChannel.lock(0, Long.MAX_VALUE, true);
        }
        sharedHolders++;
      }
    } catch (IOException | RuntimeException e) {
      rw.readLock().unlock();
      throw wrap(e);
    }
    return new Held(false, this::releaseShared);
  }

  private void releaseShared() {
    try {
      synchronized (sharedGuard) {
        if (--sharedHolders == 0) {
          try {
            sharedFileLock.release();
            sharedChannel.close();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          } finally {
            sharedFileLock = null;
            sharedChannel = null;
          }
        }
      }
    } finally {
      rw.readLock().unlock();
    }
  }

  StoreLock exclusive() {
    rw.writeLock().lock();
    return takeExclusiveFile();
  }

  Optional<StoreLock> tryExclusive(Duration timeout) {
    try {
      if (!rw.writeLock().tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return Optional.empty();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
    if (rw.getWriteHoldCount() > 1) {
      return Optional.of(new Held(true, rw.writeLock()::unlock));
    }
    try {
      FileChannel ch = open(storeLockFile);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        FileLock l = ch.tryLock();
        if (l != null) {
          return Optional.of(new Held(true, () -> release(l, ch, rw.writeLock()::unlock)));
        }
        if (System.nanoTime() > deadline) {
          ch.close();
          rw.writeLock().unlock();
          return Optional.empty();
        }
        Thread.sleep(50);
      }
    } catch (IOException | InterruptedException e) {
      rw.writeLock().unlock();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
      throw wrap(e);
    }
  }

  private StoreLock takeExclusiveFile() {
    if (rw.getWriteHoldCount() > 1) {
      return new Held(true, rw.writeLock()::unlock);
    }
    try {
      FileChannel ch = open(storeLockFile);
      FileLock l = ch.lock();
      return new Held(true, () -> release(l, ch, rw.writeLock()::unlock));
    } catch (IOException | RuntimeException e) {
      rw.writeLock().unlock();
      throw wrap(e);
    }
  }

  /** Holds the index lock (in-process and across processes) while {@code body} runs. */
  <T> T withIndexLock(IoSupplier<T> body) throws IOException {
    indexLock.lock();
    try {
      if (indexLock.getHoldCount() > 1) {
        return body.get();
      }
      try (FileChannel ch = open(indexLockFile)) {
        FileLock l = ch.lock();
        try {
          return body.get();
        } finally {
          l.release();
        }
      }
    } finally {
      indexLock.unlock();
    }
  }

  interface IoSupplier<T> {
    T get() throws IOException;
  }

  private static void release(FileLock l, FileChannel ch, Runnable then) {
    try {
      l.release();
      ch.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      then.run();
    }
  }

  private static FileChannel open(Path file) throws IOException {
    return FileChannel.open(
        file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  private static RuntimeException wrap(Exception e) {
    return e instanceof RuntimeException r
        ? r
        : new UncheckedIOException("cannot lock the store", (IOException) e);
  }

  private static final class Held implements StoreLock {
    private final boolean exclusive;
    private Runnable release;

    Held(boolean exclusive, Runnable release) {
      this.exclusive = exclusive;
      this.release = release;
    }

    @Override
    public boolean exclusive() {
      return exclusive;
    }

    @Override
    public synchronized void close() {
      if (release != null) {
        Runnable r = release;
        release = null;
        r.run();
      }
    }
  }
}
