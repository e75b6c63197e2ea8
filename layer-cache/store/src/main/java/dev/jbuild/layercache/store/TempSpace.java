package dev.jbuild.layercache.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Staging space under {@code <root>/tmp}: each process (each open {@link Store}) gets its own
 * directory {@code tmp/<pid>-<random>/} holding an exclusive lock on its {@code .lock} file for as
 * long as it lives. The start-up sweep deletes directories whose lock can be taken, that is, whose
 * owner died (a SIGKILLed build); live writers are never disturbed. Everything staged here is
 * renamed into place, so a crash leaves only garbage that the next sweep removes.
 */
final class TempSpace implements AutoCloseable {
  private static final String LOCK = ".lock";
  private static final String NEW_PREFIX = ".new-";
  private static final Duration NEW_GRACE = Duration.ofMinutes(5);

  /**
   * Staging directories of this JVM. The sweep must not even open their lock files: closing any
   * descriptor of a file drops the process's POSIX lock on it, whichever channel took the lock.
   */
  private static final java.util.Set<Path> OWN = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final Path tmpRoot;
  private Path dir;
  private FileChannel lockChannel;
  private FileLock lock;

  TempSpace(Path tmpRoot) {
    this.tmpRoot = tmpRoot;
  }

  /** This process's staging directory (created on first use). */
  synchronized Path dir() throws IOException {
    if (dir == null) {
      Path fresh = tmpRoot.resolve(NEW_PREFIX + UUID.randomUUID());
      StorePermissions.createPrivateDirectories(fresh);
      FileChannel ch =
          FileChannel.open(
              fresh.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      lock = ch.lock();
      lockChannel = ch;
      Path named = tmpRoot.resolve(ProcessHandle.current().pid() + "-" + UUID.randomUUID());
      OWN.add(named.toAbsolutePath());
      Files.move(fresh, named);
      dir = named;
    }
    return dir;
  }

  Path newFile(String prefix) throws IOException {
    return Files.createTempFile(dir(), prefix, ".tmp");
  }

  Path newDir(String prefix) throws IOException {
    return Files.createTempDirectory(dir(), prefix);
  }

  /** Deletes staging directories of dead processes. Returns how many were removed. */
  static int sweep(Path tmpRoot) throws IOException {
    int removed = 0;
    if (!Files.isDirectory(tmpRoot)) {
      return 0;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmpRoot)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (OWN.contains(p.toAbsolutePath())) {
          continue;
        }
        if (name.startsWith(NEW_PREFIX)) {
          FileTime t = Files.getLastModifiedTime(p);
          if (t.toInstant().isAfter(Instant.now().minus(NEW_GRACE))) {
            continue;
          }
        } else if (Files.isDirectory(p) && isLocked(p.resolve(LOCK))) {
          continue;
        }
        AtomicFiles.deleteTree(p);
        removed++;
      }
    }
    return removed;
  }

  private static boolean isLocked(Path lockFile) {
    if (!Files.exists(lockFile)) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
      FileLock l = ch.tryLock();
      if (l == null) {
        return true;
      }
      l.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true; // held by this JVM
    } catch (IOException e) {
      return true; // cannot tell: leave it
    }
  }

  @Override
  public synchronized void close() throws IOException {
    if (dir != null) {
      Path d = dir;
      dir = null;
      try {
        for (int attempt = 1; ; attempt++) {
          try {
            AtomicFiles.deleteTree(d);
            break;
          } catch (java.nio.file.DirectoryNotEmptyException e) {
            // a file was made in the space while it was deleted (JGit's background file-system
            // probe writes one into a repository it fetched into): delete again; what still
            // remains is the next start-up sweep's, never a failure of the work that is done
            if (attempt == 5) {
              break;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
          }
        }
      } finally {
        OWN.remove(d.toAbsolutePath());
        lock.release();
        lockChannel.close();
      }
    }
  }
}
