package dev.jbuild.runner.net;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.jbuild.layercache.fs.Native;
import dev.jbuild.runner.sys.SyscallException;
import dev.jbuild.runner.sys.Syscalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Persistent network namespaces: a new namespace bound onto a file (as {@code ip netns add} and
 * {@code unshare --net=FILE} do), so a runtime can join it by path and a network stack can attach
 * to it before the container starts. Made in-process: a short-lived platform thread unshares its
 * own network namespace (unshare(CLONE_NEWNET) affects only the calling thread) and bind-mounts
 * {@code /proc/thread-self/ns/net} onto the file, then ends; the namespace lives as long as the
 * mount (or a process inside it).
 */
public final class Netns {
  private static final int CLONE_NEWNET = 0x40000000;
  private static final MethodHandle UNSHARE =
      Native.downcall("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

  private Netns() {}

  /** Creates a new network namespace bound at {@code file} (created; must not exist). */
  public static void create(Path file) throws IOException {
    Files.createFile(file);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t =
        Thread.ofPlatform()
            .name("jbuild-netns")
            .start(
                () -> {
                  try {
                    unshareNet();
                    Syscalls.mount(
                        "/proc/thread-self/ns/net", file, "none", Syscalls.MS_BIND, null);
                  } catch (Throwable e) {
                    failure.set(e);
                  }
                });
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the thread is quick: finish, keep the interrupt for the caller
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure.get() != null) {
      Files.deleteIfExists(file);
      Throwable e = failure.get();
      throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
  }

  /** Unmounts the namespace file (lazily) and deletes it; nothing when it does not exist. */
  public static void remove(Path file) throws IOException {
    if (!Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Syscalls.umount(file, Syscalls.MNT_DETACH | Syscalls.UMOUNT_NOFOLLOW);
    } catch (SyscallException e) {
      // not mounted (any more)
    }
    Files.deleteIfExists(file);
  }

  private static void unshareNet() throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      int rc = (int) UNSHARE.invokeExact(st, CLONE_NEWNET);
      if (rc != 0) {
        throw new SyscallException("unshare", "CLONE_NEWNET", Native.errno(st), null);
      }
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }
}
