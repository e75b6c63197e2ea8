package dev.jbuild.layercache.fs;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The {@code *at} family of system calls on directory file descriptors, through the FFM API: what
 * {@link RootDir} is made of. Every call names the operand it was given in its {@link
 * PosixException}. Downcalls are linked on first use (one holder class each).
 */
public final class At {
  static final boolean AARCH64 = "aarch64".equals(System.getProperty("os.arch"));

  public static final int O_RDONLY = 0;
  public static final int O_WRONLY = 1;
  public static final int O_CREAT = 0100;
  public static final int O_EXCL = 0200;
  public static final int O_NOCTTY = 0400;
  public static final int O_NONBLOCK = 04000;
  public static final int O_DIRECTORY = AARCH64 ? 040000 : 0200000;
  public static final int O_NOFOLLOW = AARCH64 ? 0100000 : 0400000;
  public static final int O_CLOEXEC = 02000000;
  public static final int O_PATH = 010000000;

  public static final int AT_FDCWD = -100;
  public static final int AT_SYMLINK_NOFOLLOW = 0x100;
  public static final int AT_REMOVEDIR = 0x200;
  public static final int AT_EMPTY_PATH = 0x1000;

  static final long RESOLVE_NO_MAGICLINKS = 0x02;
  static final long RESOLVE_NO_SYMLINKS = 0x04;
  static final long RESOLVE_IN_ROOT = 0x10;

  private static final long SYS_OPENAT2 = 437; // the same on x86_64 and aarch64
  private static final long SYS_FCHMODAT2 = 452; // the same on x86_64 and aarch64
  private static final long UTIME_OMIT = (1L << 30) - 2;

  private At() {}

  /**
   * Links the downcalls that opening and reading a file under a {@link RootDir} uses (openat2,
   * openat, readlinkat, read, close) now: linking costs milliseconds per function on first use, so
   * a command can pay for it early, on another thread, while it does something else.
   */
  public static void prelinkReads() {
    java.util.List.of(Openat2.H, Openat.H, Readlinkat.H, Read.H, Close.H);
  }

  /**
   * Links the downcalls that writing a tree under a {@link RootDir} uses (a COPY step, a layer
   * unpacked): mkdirat, copy_file_range, fchownat, fchmodat2, utimensat, unlinkat. See {@link
   * #prelinkReads}.
   */
  public static void prelinkWrites() {
    java.util.List.of(Mkdirat.H, CopyFileRange.H, Fchownat.H, Fchmodat2.H, Utimensat.H, Unlinkat.H);
  }

  private static final class Openat {
    static final MethodHandle H =
        Native.downcall(
            "openat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
  }

  private static final class Openat2 {
    static final MethodHandle H =
        Native.downcall(
            "syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
  }

  private static final class Close {
    static final MethodHandle H =
        Native.downcallNoErrno("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  }

  private static final class Mkdirat {
    static final MethodHandle H =
        Native.downcall("mkdirat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  }

  private static final class Fchownat {
    static final MethodHandle H =
        Native.downcall(
            "fchownat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
  }

  private static final class Fchmodat {
    static final MethodHandle H =
        Native.downcall(
            "fchmodat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
  }

  private static final class Fchmodat2 {
    static final MethodHandle H =
        Native.downcall(
            "syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(1));
  }

  private static volatile boolean fchmodat2Missing;

  private static final class Utimensat {
    static final MethodHandle H =
        Native.downcall(
            "utimensat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
  }

  private static final class Unlinkat {
    static final MethodHandle H =
        Native.downcall("unlinkat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  }

  private static final class Symlinkat {
    static final MethodHandle H =
        Native.downcall("symlinkat", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
  }

  private static final class Linkat {
    static final MethodHandle H =
        Native.downcall(
            "linkat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
  }

  private static final class Mknodat {
    static final MethodHandle H =
        Native.downcall(
            "mknodat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
  }

  private static final class Readlinkat {
    static final MethodHandle H =
        Native.downcall(
            "readlinkat", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
  }

  private static final class Read {
    static final MethodHandle H =
        Native.downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  }

  private static final class Write {
    static final MethodHandle H =
        Native.downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  }

  private static final class CopyFileRange {
    static final MethodHandle H =
        Native.downcall(
            "copy_file_range",
            FunctionDescriptor.of(
                JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
  }

  private static final class Sendfile {
    static final MethodHandle H =
        Native.downcall(
            "sendfile", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG));
  }

  /** {@code openat(dirfd, name, flags | O_CLOEXEC, mode)}: the new descriptor. */
  public static int openat(int dirfd, String name, int flags, int mode) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      int fd =
          (int)
              Openat.H.invokeExact(state, dirfd, arena.allocateFrom(name), flags | O_CLOEXEC, mode);
      if (fd < 0) {
        throw new PosixException("openat", name, Native.errno(state));
      }
      return fd;
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * {@code openat2(dirfd, path, {flags | O_CLOEXEC, 0, resolve})}: the new descriptor; a {@link
   * PosixException} with ENOSYS when the kernel lacks the call (before 5.6, or filtered).
   */
  static int openat2(int dirfd, String path, int flags, long resolve) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      MemorySegment how = arena.allocate(24, 8);
      how.set(JAVA_LONG, 0, Integer.toUnsignedLong(flags | O_CLOEXEC));
      how.set(JAVA_LONG, 8, 0L);
      how.set(JAVA_LONG, 16, resolve);
      long fd =
          (long)
              Openat2.H.invokeExact(state, SYS_OPENAT2, dirfd, arena.allocateFrom(path), how, 24L);
      if (fd < 0) {
        throw new PosixException("openat2", path, Native.errno(state));
      }
      return (int) fd;
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code close(fd)}; errors ignored (there is nothing to do about them). */
  public static void close(int fd) {
    if (fd < 0) {
      return;
    }
    try {
      int unused = (int) Close.H.invokeExact(fd);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code statx(dirfd, name, AT_SYMLINK_NOFOLLOW)} ("" = the descriptor itself), or null. */
  public static Stat lstatat(int dirfd, String name) throws PosixException {
    int flags = AT_SYMLINK_NOFOLLOW | (name.isEmpty() ? AT_EMPTY_PATH : 0);
    return Posix.statx(dirfd, name, flags);
  }

  /** {@code fstat(fd)} (statx with AT_EMPTY_PATH; works on O_PATH descriptors). */
  public static Stat fstat(int fd) throws PosixException {
    Stat s = Posix.statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
    if (s == null) {
      throw new PosixException("fstat", "fd " + fd, Errno.EBADF);
    }
    return s;
  }

  public static void mkdirat(int dirfd, String name, int mode) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      check(
          (int) Mkdirat.H.invokeExact(state, dirfd, arena.allocateFrom(name), mode),
          state,
          "mkdirat",
          name);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW)}; "" = the descriptor itself. */
  public static void chownat(int dirfd, String name, long uid, long gid) throws PosixException {
    int flags = AT_SYMLINK_NOFOLLOW | (name.isEmpty() ? AT_EMPTY_PATH : 0);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      int rc =
          (int)
              Fchownat.H.invokeExact(
                  state, dirfd, arena.allocateFrom(name), (int) uid, (int) gid, flags);
      check(rc, state, "fchownat", name);
    } catch (PosixException e) {
      throw UserNamespace.chownFailed(e, uid, gid);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * {@code fchmodat(dirfd, name, mode, AT_SYMLINK_NOFOLLOW)}: never changes a symlink's target
   * (glibc refuses symlinks with EOPNOTSUPP; it works through an O_PATH descriptor).
   */
  public static void chmodat(int dirfd, String name, int mode) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      MemorySegment n = arena.allocateFrom(name);
      if (!fchmodat2Missing) {
        // fchmodat2 (Linux 6.6+) takes AT_SYMLINK_NOFOLLOW in one call; glibc 2.36 emulates it
        // with four (an O_PATH open, fstatat, chmod of /proc/self/fd/N, close)
        long rc =
            (long)
                Fchmodat2.H.invokeExact(
                    state, SYS_FCHMODAT2, dirfd, n, mode & 07777, AT_SYMLINK_NOFOLLOW);
        if (rc == 0) {
          return;
        }
        int errno = Native.errno(state);
        if (errno != Errno.ENOSYS) {
          throw new PosixException("fchmodat2", name, errno);
        }
        fchmodat2Missing = true;
      }
      int rc = (int) Fchmodat.H.invokeExact(state, dirfd, n, mode & 07777, AT_SYMLINK_NOFOLLOW);
      check(rc, state, "fchmodat", name);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * {@code utimensat(dirfd, name, times, AT_SYMLINK_NOFOLLOW)}; a null {@code atime} leaves the
   * access time; "" = the descriptor itself (AT_EMPTY_PATH).
   */
  public static void utimensat(int dirfd, String name, Instant atime, Instant mtime)
      throws PosixException {
    // "" = the descriptor itself, named by its /proc/self/fd magic link (works for O_PATH ones)
    int flags = name.isEmpty() ? 0 : AT_SYMLINK_NOFOLLOW;
    String path = name.isEmpty() ? procPath(dirfd, "") : name;
    int at = name.isEmpty() ? AT_FDCWD : dirfd;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      MemorySegment times = arena.allocate(32, 8);
      times.set(JAVA_LONG, 0, atime == null ? 0L : atime.getEpochSecond());
      times.set(JAVA_LONG, 8, atime == null ? UTIME_OMIT : atime.getNano());
      times.set(JAVA_LONG, 16, mtime.getEpochSecond());
      times.set(JAVA_LONG, 24, mtime.getNano());
      int rc = (int) Utimensat.H.invokeExact(state, at, arena.allocateFrom(path), times, flags);
      check(rc, state, "utimensat", name);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code unlinkat(dirfd, name, directory ? AT_REMOVEDIR : 0)}. */
  public static void unlinkat(int dirfd, String name, boolean directory) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      int rc =
          (int)
              Unlinkat.H.invokeExact(
                  state, dirfd, arena.allocateFrom(name), directory ? AT_REMOVEDIR : 0);
      check(rc, state, "unlinkat", name);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  public static void symlinkat(String target, int dirfd, String name) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      int rc =
          (int)
              Symlinkat.H.invokeExact(
                  state, arena.allocateFrom(target), dirfd, arena.allocateFrom(name));
      check(rc, state, "symlinkat", name);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code linkat(olddirfd, oldname, newdirfd, newname, 0)}: a symlink is linked, not followed. */
  public static void linkat(int olddirfd, String oldname, int newdirfd, String newname)
      throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      int rc =
          (int)
              Linkat.H.invokeExact(
                  state,
                  olddirfd,
                  arena.allocateFrom(oldname),
                  newdirfd,
                  arena.allocateFrom(newname),
                  oldname.isEmpty() ? AT_EMPTY_PATH : 0);
      check(rc, state, "linkat", newname);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code mknodat(dirfd, name, mode, makedev(major, minor))} (the umask applies). */
  public static void mknodat(int dirfd, String name, int mode, int major, int minor)
      throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      int rc =
          (int)
              Mknodat.H.invokeExact(
                  state, dirfd, arena.allocateFrom(name), mode, Stat.makedev(major, minor));
      check(rc, state, "mknodat", name);
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** {@code readlinkat(dirfd, name)}; "" reads the symlink an O_PATH descriptor holds. */
  public static String readlinkat(int dirfd, String name) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      MemorySegment n = arena.allocateFrom(name);
      long size = 256;
      while (true) {
        MemorySegment buf = arena.allocate(size);
        long rc = (long) Readlinkat.H.invokeExact(state, dirfd, n, buf, size);
        if (rc < 0) {
          throw new PosixException("readlinkat", name, Native.errno(state));
        }
        if (rc < size) {
          return new String(
              buf.asSlice(0, rc).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
        size *= 4;
        if (size > 1 << 16) {
          throw new PosixException("readlinkat", name, Errno.ENAMETOOLONG);
        }
      }
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** Reads at most {@code max} bytes from {@code fd} (until end of file or {@code max}). */
  static byte[] readUpTo(int fd, int max, String operand) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      int chunk = Math.max(1, Math.min(max, 1 << 16));
      MemorySegment buf = arena.allocate(chunk);
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      while (out.size() < max) {
        long want = Math.min(chunk, max - out.size());
        long n = (long) Read.H.invokeExact(state, fd, buf, want);
        if (n < 0) {
          int errno = Native.errno(state);
          if (errno == Errno.EINTR) {
            continue;
          }
          throw new PosixException("read", operand, errno);
        }
        if (n == 0) {
          break;
        }
        out.write(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, (int) n);
      }
      return out.toByteArray();
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** Writes all of {@code data} to {@code fd}. */
  public static void write(int fd, byte[] data, String operand) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      MemorySegment buf = arena.allocate(Math.max(1, data.length));
      MemorySegment.copy(data, 0, buf, ValueLayout.JAVA_BYTE, 0, data.length);
      long done = 0;
      while (done < data.length) {
        long n = (long) Write.H.invokeExact(state, fd, buf.asSlice(done), data.length - done);
        if (n < 0) {
          int errno = Native.errno(state);
          if (errno == Errno.EINTR) {
            continue;
          }
          throw new PosixException("write", operand, errno);
        }
        done += n;
      }
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * Copies {@code length} bytes from the start of {@code in} to {@code out} in the kernel
   * (copy_file_range, or sendfile across file systems that refuse it).
   */
  public static void copy(int in, int out, long length, String operand) throws PosixException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      long done = 0;
      boolean sendfile = false;
      while (done < length) {
        long n =
            sendfile
                ? (long) Sendfile.H.invokeExact(state, out, in, MemorySegment.NULL, length - done)
                : (long)
                    CopyFileRange.H.invokeExact(
                        state, in, MemorySegment.NULL, out, MemorySegment.NULL, length - done, 0);
        if (n < 0) {
          int errno = Native.errno(state);
          if (errno == Errno.EINTR) {
            continue;
          }
          if (!sendfile
              && (errno == Errno.EXDEV
                  || errno == Errno.EINVAL
                  || errno == Errno.ENOSYS
                  || errno == Errno.EOPNOTSUPP)) {
            sendfile = true;
            continue;
          }
          throw new PosixException(sendfile ? "sendfile" : "copy_file_range", operand, errno);
        }
        if (n == 0) {
          throw new PosixException(
              "copy_file_range", operand + " (shrank while copied)", Errno.EIO);
        }
        done += n;
      }
    } catch (PosixException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * The path through which a descriptor's file, or an entry of a directory descriptor, is named.
   */
  public static String procPath(int fd, String name) {
    return name.isEmpty() ? "/proc/self/fd/" + fd : "/proc/self/fd/" + fd + "/" + name;
  }

  private static void check(int rc, MemorySegment state, String call, String operand)
      throws PosixException {
    if (rc != 0) {
      throw new PosixException(call, operand, Native.errno(state));
    }
  }
}
