package dev.jbuild.layercache.fs;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The POSIX calls Java lacks, through the FFM API: lstat with device numbers and nanosecond times,
 * lchown, chmod with all 07777 bits, utimensat without following symlinks, mknod, mkfifo and the
 * {@code l*xattr} family. Every failure is a {@link PosixException} naming the call and the path.
 */
public final class Posix {
  private static final int AT_FDCWD = -100;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;
  private static final int STATX_BASIC_STATS = 0x7ff;
  private static final long UTIME_OMIT = (1L << 30) - 2;
  private static final int STATX_SIZE = 256;
  private static final int XATTR_BUFFER = 4096;

  /** Links geteuid and statx now (see {@link At#prelinkReads}). */
  public static void prelink() {
    java.util.List.of(Geteuid.H, Statx.H);
  }

  /**
   * Links the extended-attribute and ownership calls a written tree uses (see {@link #prelink}).
   */
  public static void prelinkWrites() {
    java.util.List.of(Lgetxattr.H, Llistxattr.H, Lchown.H, Chmod.H, Lremovexattr.H);
  }

  /** Holder: the downcall is linked on first use (linking costs milliseconds per function). */
  private static final class Statx {
    static final MethodHandle H =
        Native.downcall(
            "statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
  }

  /** Holder: the downcall is linked on first use (linking costs milliseconds per function). */
  private static final class Lchown {
    static final MethodHandle H =
        Native.downcall("lchown", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
  }

  /** Holder: the downcall is linked on first use (linking costs milliseconds per function). */
  private static final class Chmod {
    static final MethodHandle H =
        Native.downcall("chmod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  }

  /** Holder: the downcall is linked on first use (linking costs milliseconds per function). */
  private static final class Utimensat {
    static final MethodHandle H =
        Native.downcall(
            "utimensat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
  }

  /** Holder: the downcall is linked on first use (linking costs milliseconds per function). */
  private static final class Mknod {
    static final MethodHandle H =
        Native.downcall("mknod", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
  }

  /** Holder: the downcall is linked on first use (linking costs milliseconds per function). */
  private static final class Mkfifo {
    static final MethodHandle H =
        Native.downcall("mkfifo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  }

  /** Holder: the downcall is linked on first use (linking costs milliseconds per function). */
  private static final class Lgetxattr {
    static final MethodHandle H =
        Native.downcall(
            "lgetxattr", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
  }

  /** Holder: the downcall is linked on first use (linking costs milliseconds per function). */
  private static final class Lsetxattr {
    static final MethodHandle H =
        Native.downcall(
            "lsetxattr",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
  }

  /** Holder: the downcall is linked on first use (linking costs milliseconds per function). */
  private static final class Llistxattr {
    static final MethodHandle H =
        Native.downcall(
            "llistxattr", FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
  }

  /** Holder: the downcall is linked on first use (linking costs milliseconds per function). */
  private static final class Lremovexattr {
    static final MethodHandle H =
        Native.downcall("lremovexattr", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  }

  /** Holder: the downcall is linked on first use (linking costs milliseconds per function). */
  private static final class Geteuid {
    static final MethodHandle H =
        Native.downcallNoErrno("geteuid", FunctionDescriptor.of(JAVA_INT));
  }

  /** Holder: the downcall is linked on first use (linking costs milliseconds per function). */
  private static final class Umask {
    static final MethodHandle H =
        Native.downcallNoErrno("umask", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  }

  private Posix() {}

  /** {@code lstat(path)}: the link itself when {@code path} is a symlink. */
  public static Stat lstat(Path path) throws PosixException {
    Stat s = lstatOrNull(path);
    if (s == null) {
      throw new PosixException("lstat", path.toString(), Errno.ENOENT);
    }
    return s;
  }

  /** {@code lstat(path)}, or null when nothing exists there (ENOENT or ENOTDIR). */
  public static Stat lstatOrNull(Path path) throws PosixException {
    return statx(AT_FDCWD, path.toString(), AT_SYMLINK_NOFOLLOW);
  }

  /** {@code statx(dirfd, name, flags)}, or null when nothing exists there (ENOENT or ENOTDIR). */
  static Stat statx(int dirfd, String name, int flags) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      MemorySegment buf = arena.allocate(STATX_SIZE, 8);
      int rc =
          (int)
              Statx.H.invokeExact(
                  state, dirfd, arena.allocateFrom(name), flags, STATX_BASIC_STATS, buf);
      if (rc != 0) {
        int errno = Native.errno(state);
        if (errno == Errno.ENOENT || errno == Errno.ENOTDIR) {
          return null;
        }
        throw new PosixException("lstat", name, errno);
      }
      return new Stat(
          Stat.makedev(buf.get(JAVA_INT, 136), buf.get(JAVA_INT, 140)),
          buf.get(JAVA_LONG, 32),
          Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, 28)),
          Integer.toUnsignedLong(buf.get(JAVA_INT, 16)),
          Integer.toUnsignedLong(buf.get(JAVA_INT, 20)),
          Integer.toUnsignedLong(buf.get(JAVA_INT, 24)),
          buf.get(JAVA_INT, 128),
          buf.get(JAVA_INT, 132),
          buf.get(JAVA_LONG, 40),
          timestamp(buf, 112),
          timestamp(buf, 96));
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  private static Instant timestamp(MemorySegment buf, long offset) {
    return Instant.ofEpochSecond(buf.get(JAVA_LONG, offset), buf.get(JAVA_INT, offset + 8));
  }

  /** {@code lchown(path, uid, gid)}: changes the owner of a symlink itself, not its target. */
  public static void lchown(Path path, long uid, long gid) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      int rc = (int) Lchown.H.invokeExact(state, cString(arena, path), (int) uid, (int) gid);
      check(rc, state, "lchown", path);
    } catch (PosixException e) {
      throw UserNamespace.chownFailed(e, uid, gid);
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** {@code chmod(path, mode)} with all 07777 bits (follows symlinks, as chmod(2) does). */
  public static void chmod(Path path, int mode) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      int rc = (int) Chmod.H.invokeExact(state, cString(arena, path), mode & 07777);
      check(rc, state, "chmod", path);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /**
   * {@code utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW)}: sets the times of {@code path}
   * itself (a symlink's own times). A null {@code atime} leaves the access time unchanged.
   */
  public static void utimensat(Path path, Instant atime, Instant mtime) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      MemorySegment times = arena.allocate(32, 8);
      if (atime == null) {
        times.set(JAVA_LONG, 0, 0L);
        times.set(JAVA_LONG, 8, UTIME_OMIT);
      } else {
        times.set(JAVA_LONG, 0, atime.getEpochSecond());
        times.set(JAVA_LONG, 8, atime.getNano());
      }
      times.set(JAVA_LONG, 16, mtime.getEpochSecond());
      times.set(JAVA_LONG, 24, mtime.getNano());
      int rc =
          (int)
              Utimensat.H.invokeExact(
                  state, AT_FDCWD, cString(arena, path), times, AT_SYMLINK_NOFOLLOW);
      check(rc, state, "utimensat", path);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /**
   * {@code mknod(path, mode, makedev(major, minor))}; {@code mode} holds the type ({@link
   * Stat#S_IFCHR}, {@link Stat#S_IFBLK}, {@link Stat#S_IFIFO}) and permission bits (the umask
   * applies).
   */
  public static void mknod(Path path, int mode, int major, int minor) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      int rc =
          (int) Mknod.H.invokeExact(state, cString(arena, path), mode, Stat.makedev(major, minor));
      check(rc, state, "mknod", path);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** {@code mkfifo(path, mode)} (the umask applies). */
  public static void mkfifo(Path path, int mode) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      int rc = (int) Mkfifo.H.invokeExact(state, cString(arena, path), mode & 07777);
      check(rc, state, "mkfifo", path);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** {@code lgetxattr}: the value of attribute {@code name}, empty when the file lacks it. */
  public static Optional<byte[]> lgetxattr(Path path, String name) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      MemorySegment p = cString(arena, path);
      MemorySegment n = arena.allocateFrom(name);
      long size = XATTR_BUFFER;
      while (true) {
        MemorySegment buf = arena.allocate(size);
        long rc = (long) Lgetxattr.H.invokeExact(state, p, n, buf, size);
        if (rc >= 0) {
          return Optional.of(buf.asSlice(0, rc).toArray(ValueLayout.JAVA_BYTE));
        }
        int errno = Native.errno(state);
        if (errno == Errno.ENODATA) {
          return Optional.empty();
        }
        if (errno != Errno.ERANGE) {
          throw new PosixException("lgetxattr", path + " " + name, errno);
        }
        long needed = (long) Lgetxattr.H.invokeExact(state, p, n, MemorySegment.NULL, 0L);
        if (needed < 0) {
          throw new PosixException("lgetxattr", path + " " + name, Native.errno(state));
        }
        size = Math.max(needed, size * 2);
      }
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** {@code lsetxattr(path, name, value, flags=0)}: creates or replaces the attribute. */
  public static void lsetxattr(Path path, String name, byte[] value) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      MemorySegment v = arena.allocate(Math.max(1, value.length));
      MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
      int rc =
          (int)
              Lsetxattr.H.invokeExact(
                  state, cString(arena, path), arena.allocateFrom(name), v, (long) value.length, 0);
      if (rc != 0) {
        throw new PosixException("lsetxattr", path + " " + name, Native.errno(state));
      }
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** {@code llistxattr}: the attribute names of {@code path} itself, in the kernel's order. */
  public static List<String> llistxattr(Path path) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      MemorySegment p = cString(arena, path);
      long size = XATTR_BUFFER;
      while (true) {
        MemorySegment buf = arena.allocate(size);
        long rc = (long) Llistxattr.H.invokeExact(state, p, buf, size);
        if (rc >= 0) {
          List<String> names = new ArrayList<>();
          byte[] bytes = buf.asSlice(0, rc).toArray(ValueLayout.JAVA_BYTE);
          int start = 0;
          for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
              if (i > start) {
                names.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
              }
              start = i + 1;
            }
          }
          return names;
        }
        int errno = Native.errno(state);
        if (errno == Errno.EOPNOTSUPP) {
          return List.of();
        }
        if (errno != Errno.ERANGE) {
          throw new PosixException("llistxattr", path.toString(), errno);
        }
        size *= 2;
      }
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** All extended attributes of {@code path} itself, sorted by name. */
  public static Map<String, byte[]> lgetxattrs(Path path) throws PosixException {
    Map<String, byte[]> all = new TreeMap<>();
    for (String name : llistxattr(path)) {
      lgetxattr(path, name).ifPresent(v -> all.put(name, v));
    }
    return all;
  }

  /** {@code lremovexattr}; a missing attribute is not an error. */
  public static void lremovexattr(Path path, String name) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      int rc =
          (int) Lremovexattr.H.invokeExact(state, cString(arena, path), arena.allocateFrom(name));
      if (rc != 0 && Native.errno(state) != Errno.ENODATA) {
        throw new PosixException("lremovexattr", path + " " + name, Native.errno(state));
      }
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** The effective user id of this process. */
  public static int geteuid() {
    try {
      return (int) Geteuid.H.invokeExact();
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  /** The process umask (read without changing it for longer than two calls). */
  public static synchronized int umask() {
    try {
      int old = (int) Umask.H.invokeExact(022);
      int unused = (int) Umask.H.invokeExact(old);
      return old;
    } catch (Throwable t) {
      throw unexpected(t);
    }
  }

  private static void check(int rc, MemorySegment state, String call, Path path)
      throws PosixException {
    if (rc != 0) {
      throw new PosixException(call, path.toString(), Native.errno(state));
    }
  }

  private static MemorySegment cString(Arena arena, Path path) {
    return arena.allocateFrom(path.toString());
  }

  private static RuntimeException unexpected(Throwable t) {
    return Native.rethrow(t);
  }
}
