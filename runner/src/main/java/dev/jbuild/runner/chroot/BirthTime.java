package dev.jbuild.runner.chroot;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jbuild.layercache.fs.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * A directory's birth time ({@code statx} {@code stx_btime}), which tells a directory deleted and
 * created again apart from the one recorded even when the file system reused its inode number (ext4
 * does at once). -1 when the file system does not record it.
 */
final class BirthTime {
  private static final int AT_FDCWD = -100;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;
  private static final int STATX_BTIME = 0x800;
  private static final long MASK = 0;
  private static final long BTIME = 80;
  private static final MethodHandle STATX =
      Native.downcall(
          "statx", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));

  private BirthTime() {}

  /** Nanoseconds since the epoch, or -1. */
  static long of(Path p) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      MemorySegment buf = arena.allocate(256, 8);
      int rc =
          (int)
              STATX.invokeExact(
                  state,
                  AT_FDCWD,
                  arena.allocateFrom(p.toString()),
                  AT_SYMLINK_NOFOLLOW,
                  STATX_BTIME,
                  buf);
      if (rc != 0 || (buf.get(JAVA_INT, MASK) & STATX_BTIME) == 0) {
        return -1;
      }
      return buf.get(JAVA_LONG, BTIME) * 1_000_000_000L
          + Integer.toUnsignedLong(buf.get(JAVA_INT, BTIME + 8));
    } catch (Throwable t) {
      return -1;
    }
  }
}
