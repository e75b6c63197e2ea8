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
import java.util.concurrent.locks.ReentrantLock;

/**
 * The locks of one store root, shared by every {@link Store} of this JVM that opens the root.
 *
 * <p>FileChannel locks belong to the process, and overlapping ones taken in one JVM throw, so each
 * file lock sits behind a process-wide Java lock. The store lock ({@code <root>/lock}): any number
 * of shared holds (from any threads; a hold may be released on another thread than the one that
 * took it, so builds may hand it to worker or virtual threads) or one exclusive owner thread
 * (reentrant; it may also take shared holds, which then need no file lock). The first shared hold
 * takes the shared file lock, the last one releases it; the exclusive owner holds the exclusive
 * file lock. A thread holding only a shared lock that asks for the exclusive one gets an
 * IllegalStateException instead of a deadlock. The index lock ({@code <root>/index.lock}, held
 * while index.json is rewritten) sits behind a reentrant lock.
 */
final class RootLocks {
  private static final ConcurrentHashMap<Path, RootLocks> BY_ROOT = new ConcurrentHashMap<>();

  private final Path storeLockFile;
  private final Path indexLockFile;
  private final ReentrantLock indexLock = new ReentrantLock();

  // store lock state, guarded by "this"
  private int sharedFileHolds;
  private FileChannel sharedChannel;
  private FileLock sharedFileLock;
  private Thread exclusiveOwner;
  private int exclusiveHolds;
  private FileChannel exclusiveChannel;
  private FileLock exclusiveFileLock;

  /** Shared holds by the thread that took them (to refuse an upgrade instead of deadlocking). */
  private final java.util.Map<Thread, Integer> sharedByThread = new java.util.HashMap<>();

  private RootLocks(Path root) {
    this.storeLockFile = root.resolve("lock");
    this.indexLockFile = root.resolve("index.lock");
  }

  static RootLocks forRoot(Path realRoot) {
    return BY_ROOT.computeIfAbsent(realRoot, RootLocks::new);
  }

  StoreLock shared() {
    Thread me = Thread.currentThread();
    synchronized (this) {
      if (exclusiveOwner == me) {
        exclusiveHolds++; // covered by the exclusive file lock
        return new Held(false, this::releaseExclusive);
      }
      while (exclusiveOwner != null) {
        awaitUninterruptibly();
      }
      if (sharedFileHolds == 0) {
        try {
          sharedChannel = open(storeLockFile);
          sharedFileLock = sharedChannel.lock(0, Long.MAX_VALUE, true);
        } catch (IOException e) {
          closeQuietly(sharedChannel);
          sharedChannel = null;
          throw new UncheckedIOException("cannot lock the store (" + storeLockFile + ")", e);
        }
      }
      sharedFileHolds++;
      sharedByThread.merge(me, 1, Integer::sum);
    }
    return new Held(false, () -> releaseShared(me));
  }

  private void releaseShared(Thread taker) {
    synchronized (this) {
      sharedByThread.computeIfPresent(taker, (t, n) -> n == 1 ? null : n - 1);
      if (--sharedFileHolds == 0) {
        try {
          sharedFileLock.release();
          sharedChannel.close();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } finally {
          sharedFileLock = null;
          sharedChannel = null;
          notifyAll();
        }
      }
    }
  }

  StoreLock exclusive() {
    return tryExclusive(null).orElseThrow();
  }

  /** The exclusive lock within {@code timeout} (null = wait as long as it takes). */
  Optional<StoreLock> tryExclusive(Duration timeout) {
    Thread me = Thread.currentThread();
    long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      if (exclusiveOwner == me) {
        exclusiveHolds++;
        return Optional.of(new Held(true, this::releaseExclusive));
      }
      if (sharedByThread.containsKey(me)) {
        throw new IllegalStateException(
            "this thread holds the store's shared lock and asks for the exclusive one");
      }
      while (exclusiveOwner != null || sharedFileHolds > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return Optional.empty();
        }
        awaitNanos(timeout == null ? 0 : left);
      }
      try {
        FileChannel ch = open(storeLockFile);
        FileLock l;
        if (timeout == null) {
          l = ch.lock();
        } else {
          while ((l = ch.tryLock()) == null && System.nanoTime() < deadline) {
            wait(20);
          }
        }
        if (l == null) {
          ch.close();
          return Optional.empty();
        }
        exclusiveChannel = ch;
        exclusiveFileLock = l;
        exclusiveOwner = me;
        exclusiveHolds = 1;
        return Optional.of(new Held(true, this::releaseExclusive));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot lock the store (" + storeLockFile + ")", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
  }

  private synchronized void releaseExclusive() {
    if (--exclusiveHolds == 0) {
      try {
        exclusiveFileLock.release();
        exclusiveChannel.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } finally {
        exclusiveFileLock = null;
        exclusiveChannel = null;
        exclusiveOwner = null;
        notifyAll();
      }
    }
  }

  private void awaitUninterruptibly() {
    awaitNanos(0);
  }

  private void awaitNanos(long nanos) {
    try {
      if (nanos <= 0) {
        wait();
      } else {
        wait(Math.max(1, nanos / 1_000_000));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the store lock", e);
    }
  }

  private static void closeQuietly(FileChannel ch) {
    if (ch != null) {
      try {
        ch.close();
      } catch (IOException e) {
        // ignore
      }
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

  private static FileChannel open(Path file) throws IOException {
    return FileChannel.open(
        file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
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
