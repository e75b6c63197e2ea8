package dev.jbuild.runner.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.jbuild.layercache.fs.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The system calls of pseudo-terminals and FIFOs, through FFM: open a pty master ({@code
 * /dev/ptmx}), unlock it and learn its slave's number, set its window size (TIOCSWINSZ), read and
 * write raw file descriptors, make a FIFO and open one for writing without blocking. Every open
 * here is close-on-exec and never makes the opened terminal the caller's controlling terminal.
 */
public final class Terminals {
  private static final int O_WRONLY = 1;
  private static final int O_RDWR = 2;
  private static final int O_NOCTTY = 0x100;
  private static final int O_NONBLOCK = 0x800;
  private static final int O_CLOEXEC = 0x80000;
  private static final int F_SETFL = 4;
  private static final long TIOCSWINSZ = 0x5414;
  private static final long TIOCGWINSZ = 0x5413;
  private static final long TIOCGPTN = 0x80045430L;
  private static final long TIOCSPTLCK = 0x40045431L;
  public static final int EINTR = 4;
  public static final int EIO = 5;
  public static final int ENXIO = 6;
  public static final int EAGAIN = 11;

  private static final MethodHandle OPEN =
      Native.downcall(
          "open",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
          Linker.Option.firstVariadicArg(2));
  private static final MethodHandle IOCTL =
      Native.downcall(
          "ioctl",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
          Linker.Option.firstVariadicArg(2));
  private static final MethodHandle FCNTL =
      Native.downcall(
          "fcntl",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
          Linker.Option.firstVariadicArg(2));
  private static final MethodHandle READ =
      Native.downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  private static final MethodHandle WRITE =
      Native.downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  private static final MethodHandle MKFIFO =
      Native.downcall("mkfifo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

  private Terminals() {}

  /** A new pty master, unlocked; its slave is {@code /dev/pts/}{@link #slaveNumber}. */
  public static int openMaster() throws SyscallException {
    int fd = open(Path.of("/dev/ptmx"), O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment zero = arena.allocate(JAVA_INT);
      ioctl(fd, TIOCSPTLCK, zero, "unlockpt");
      return fd;
    } catch (SyscallException | RuntimeException e) {
      Syscalls.closeQuietly(fd);
      throw e;
    }
  }

  /** The number N of the slave {@code /dev/pts/N} of master {@code fd}. */
  public static int slaveNumber(int master) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment n = arena.allocate(JAVA_INT);
      ioctl(master, TIOCGPTN, n, "ptsname");
      return n.get(JAVA_INT, 0);
    }
  }

  /** Opens a terminal (never as the caller's controlling terminal) or other file read-write. */
  public static int openReadWrite(Path path) throws SyscallException {
    return open(path, O_RDWR | O_NOCTTY | O_CLOEXEC, 0);
  }

  /** Sets the window size of a terminal (the slave's foreground process group gets SIGWINCH). */
  public static void setSize(int fd, int rows, int cols) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment ws = arena.allocate(8);
      ws.set(JAVA_SHORT, 0, (short) rows);
      ws.set(JAVA_SHORT, 2, (short) cols);
      ioctl(fd, TIOCSWINSZ, ws, "TIOCSWINSZ");
    }
  }

  /** The window size of a terminal: rows, columns. */
  public static int[] size(int fd) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment ws = arena.allocate(8);
      ioctl(fd, TIOCGWINSZ, ws, "TIOCGWINSZ");
      return new int[] {
        Short.toUnsignedInt(ws.get(JAVA_SHORT, 0)), Short.toUnsignedInt(ws.get(JAVA_SHORT, 2))
      };
    }
  }

  /** Makes a FIFO (mode {@code mode}); an existing one is an error (EEXIST). */
  public static void mkfifo(Path path, int mode) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      int rc = (int) MKFIFO.invokeExact(st, arena.allocateFrom(path.toString()), mode);
      if (rc != 0) {
        throw new SyscallException("mkfifo", path.toString(), Native.errno(st), null);
      }
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * Opens a FIFO for writing without waiting for a reader: ENXIO when nobody reads it; the file
   * descriptor blocks on writes afterwards.
   */
  public static int openFifoWriter(Path path) throws SyscallException {
    int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      if ((int) FCNTL.invokeExact(st, fd, F_SETFL, O_WRONLY) != 0) {
        throw new SyscallException("fcntl", path.toString(), Native.errno(st), null);
      }
      return fd;
    } catch (SyscallException e) {
      Syscalls.closeQuietly(fd);
      throw e;
    } catch (Throwable t) {
      Syscalls.closeQuietly(fd);
      throw Native.rethrow(t);
    }
  }

  /** read(2) into {@code buf}; 0 at the end, retried on EINTR. */
  public static int read(int fd, byte[] buf) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      MemorySegment seg = arena.allocate(buf.length);
      while (true) {
        long n = (long) READ.invokeExact(st, fd, seg, (long) buf.length);
        if (n >= 0) {
          MemorySegment.copy(seg, JAVA_BYTE, 0, buf, 0, (int) n);
          return (int) n;
        }
        int errno = Native.errno(st);
        if (errno != EINTR) {
          throw new SyscallException("read", null, errno, null);
        }
      }
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** write(2) of all of {@code len} bytes, retried on EINTR and short writes. */
  public static void write(int fd, byte[] buf, int off, int len) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      MemorySegment seg = arena.allocate(Math.max(1, len));
      MemorySegment.copy(buf, off, seg, JAVA_BYTE, 0, len);
      long done = 0;
      while (done < len) {
        long n = (long) WRITE.invokeExact(st, fd, seg.asSlice(done), len - done);
        if (n < 0) {
          int errno = Native.errno(st);
          if (errno == EINTR) {
            continue;
          }
          throw new SyscallException("write", null, errno, null);
        }
        done += n;
      }
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  private static int open(Path path, int flags, int mode) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      int fd = (int) OPEN.invokeExact(st, arena.allocateFrom(path.toString()), flags, mode);
      if (fd < 0) {
        throw new SyscallException("open", path.toString(), Native.errno(st), null);
      }
      return fd;
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  private static void ioctl(int fd, long request, MemorySegment arg, String what)
      throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      if ((int) IOCTL.invokeExact(st, fd, request, arg) != 0) {
        throw new SyscallException(what, null, Native.errno(st), null);
      }
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }
}
