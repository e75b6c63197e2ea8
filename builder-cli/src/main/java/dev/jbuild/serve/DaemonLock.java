package dev.jbuild.serve;

import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One daemon per store: an exclusive lock on {@code <store>/serve.lock} for the daemon's lifetime
 * (the kernel drops it when the process dies, however it dies). The file holds the owner's pid for
 * the message a second daemon prints. The CLI's own commands do not take it: they share the store
 * with a daemon as they share it with each other.
 */
public final class DaemonLock implements AutoCloseable {
  public static final String FILE = "serve.lock";

  /** Another daemon holds the store. */
  public static final class HeldException extends Exception {
    HeldException(String message) {
      super(message, null, false, false);
    }
  }

  private final FileChannel channel;
  private final FileLock lock;

  private DaemonLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  public static DaemonLock acquire(Path storeRoot) throws IOException, HeldException {
    // the store's root made (0700, its layout) before a file goes in it
    Store.open(storeRoot).close();
    Path file = storeRoot.resolve(FILE);
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      String owner = "";
      try {
        ByteBuffer buf = ByteBuffer.allocate(32);
        ch.read(buf, 0);
        String pid = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
        if (pid.matches("[0-9]+")) {
          owner = " (pid " + pid + ")";
        }
      } finally {
        ch.close();
      }
      throw new HeldException(
          "another jbuild serve"
              + owner
              + " owns the store "
              + storeRoot
              + ": one daemon per store (stop it, or give this one another --root)");
    }
    ch.truncate(0);
    ch.write(
        ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
        0);
    return new DaemonLock(ch, lock);
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // the process ends: the kernel drops the lock anyway
    }
  }
}
