package dev.jbuild.runner.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jbuild.layercache.fs.Errno;
import dev.jbuild.layercache.fs.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The Linux system calls the runner needs and Java lacks: mount(2), umount2(2), the new mount API
 * (fsopen, fsconfig, fsmount, move_mount), kill(2) and getrlimit(2). Calls go through the JDK's
 * Foreign Function &amp; Memory API; failures throw {@link SyscallException} naming the path.
 */
public final class Syscalls {
  public static final long MS_RDONLY = 1;
  public static final long MS_NOSUID = 2;
  public static final long MS_NODEV = 4;
  public static final long MS_NOEXEC = 8;
  public static final long MS_REMOUNT = 32;
  public static final long MS_BIND = 4096;
  public static final long MS_REC = 16384;
  public static final long MS_PRIVATE = 1L << 18;

  public static final int MNT_FORCE = 1;
  public static final int MNT_DETACH = 2;
  public static final int UMOUNT_NOFOLLOW = 8;

  public static final int MOUNT_ATTR_RDONLY = 0x1;
  public static final int MOUNT_ATTR_NOSUID = 0x2;
  public static final int MOUNT_ATTR_NODEV = 0x4;

  public static final int RLIMIT_NOFILE = 7;
  private static final int ESRCH = 3;

  private static final int AT_FDCWD = -100;
  private static final int FSOPEN_CLOEXEC = 1;
  private static final int FSMOUNT_CLOEXEC = 1;
  private static final int FSCONFIG_SET_FLAG = 0;
  private static final int FSCONFIG_SET_STRING = 1;
  private static final int FSCONFIG_CMD_CREATE = 6;
  private static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;

  private static final MethodHandle MOUNT =
      Native.downcall(
          "mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
  private static final MethodHandle UMOUNT2 =
      Native.downcall("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle KILL =
      Native.downcall("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle GETRLIMIT =
      Native.downcall("getrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  private static final MethodHandle CLOSE =
      Native.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle UNSHARE =
      Native.downcall("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle PRCTL =
      Native.downcall(
          "prctl",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
  private static final MethodHandle WAITPID =
      Native.downcall("waitpid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle SETNS =
      Native.downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle FSTATFS =
      Native.downcall("fstatfs", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  private static final MethodHandle READ =
      Native.downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  // The new mount API: glibc 2.36+ wraps it; without the wrappers callers fall back to mount(2).
  private static final boolean NEW_MOUNT_API =
      Native.has("fsopen")
          && Native.has("fsconfig")
          && Native.has("fsmount")
          && Native.has("move_mount");
  private static final MethodHandle FSOPEN =
      NEW_MOUNT_API
          ? Native.downcall("fsopen", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT))
          : null;
  private static final MethodHandle FSCONFIG =
      NEW_MOUNT_API
          ? Native.downcall(
              "fsconfig",
              FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT))
          : null;
  private static final MethodHandle FSMOUNT =
      NEW_MOUNT_API
          ? Native.downcall(
              "fsmount", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT))
          : null;
  private static final MethodHandle MOVE_MOUNT =
      NEW_MOUNT_API
          ? Native.downcall(
              "move_mount",
              FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT))
          : null;

  private Syscalls() {}

  /** mount(2). {@code source}, {@code type} and {@code data} may be null. */
  public static void mount(String source, Path target, String type, long flags, String data)
      throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      int rc =
          (int)
              MOUNT.invokeExact(
                  st,
                  str(arena, source),
                  str(arena, target.toString()),
                  str(arena, type),
                  flags,
                  str(arena, data));
      if (rc != 0) {
        throw new SyscallException("mount", target.toString(), Native.errno(st), null);
      }
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** unshare(2) of the calling thread ({@code CLONE_NEWNS} = 0x20000, ...). */
  public static void unshare(int flags) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      int rc = (int) UNSHARE.invokeExact(st, flags);
      if (rc != 0) {
        throw new SyscallException(
            "unshare", "0x" + Integer.toHexString(flags), Native.errno(st), null);
      }
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * prctl(PR_SET_CHILD_SUBREAPER): orphans among this process's descendants become its children
   * instead of init's.
   */
  public static void becomeSubreaper() throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      int rc = (int) PRCTL.invokeExact(st, 36, 1L, 0L, 0L, 0L);
      if (rc != 0) {
        throw new SyscallException("prctl", "PR_SET_CHILD_SUBREAPER", Native.errno(st), null);
      }
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** waitpid(pid, NULL, WNOHANG): true when a zombie {@code pid} was reaped. */
  public static boolean reap(long pid) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      return (int) WAITPID.invokeExact(st, (int) pid, MemorySegment.NULL, 1) == (int) pid;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** setns(2) of the calling thread into the namespace open as {@code fd}. */
  public static void setns(int fd, int nstype) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      int rc = (int) SETNS.invokeExact(st, fd, nstype);
      if (rc != 0) {
        throw new SyscallException("setns", "fd " + fd, Native.errno(st), null);
      }
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** The file system type ({@code f_type} of fstatfs(2)) of the file open as {@code fd}. */
  public static long fsType(int fd) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      MemorySegment buf = arena.allocate(256, 8);
      int rc = (int) FSTATFS.invokeExact(st, fd, buf);
      if (rc != 0) {
        throw new SyscallException("fstatfs", "fd " + fd, Native.errno(st), null);
      }
      return buf.get(JAVA_LONG, 0);
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** umount2(2) with the given MNT_* flags. */
  public static void umount(Path target, int flags) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      int rc = (int) UMOUNT2.invokeExact(st, str(arena, target.toString()), flags);
      if (rc != 0) {
        throw new SyscallException("umount", target.toString(), Native.errno(st), null);
      }
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** kill(2); returns false when the process does not exist (ESRCH). */
  public static boolean kill(long pid, int signal) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      int rc = (int) KILL.invokeExact(st, (int) pid, signal);
      if (rc != 0) {
        int errno = Native.errno(st);
        if (errno == ESRCH) {
          return false;
        }
        throw new SyscallException("kill", Long.toString(pid), errno, null);
      }
      return true;
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** getrlimit(2): {soft, hard}; RLIM_INFINITY is returned as -1. */
  public static long[] getrlimit(int resource) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      MemorySegment lim = arena.allocate(JAVA_LONG, 2);
      int rc = (int) GETRLIMIT.invokeExact(st, resource, lim);
      if (rc != 0) {
        throw new SyscallException("getrlimit", Integer.toString(resource), Native.errno(st), null);
      }
      return new long[] {lim.getAtIndex(JAVA_LONG, 0), lim.getAtIndex(JAVA_LONG, 1)};
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** fsopen(2) with FSOPEN_CLOEXEC: a filesystem context file descriptor. */
  public static int fsopen(String fsType) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      if (!NEW_MOUNT_API) {
        throw new SyscallException("fsopen", fsType, Errno.ENOSYS, "libc lacks the new mount API");
      }
      int fd = (int) FSOPEN.invokeExact(st, str(arena, fsType), FSOPEN_CLOEXEC);
      if (fd < 0) {
        throw new SyscallException("fsopen", fsType, Native.errno(st), null);
      }
      return fd;
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** fsconfig(FSCONFIG_SET_STRING, key, value). */
  public static void fsconfigString(int fsFd, String key, String value) throws SyscallException {
    fsconfig(fsFd, FSCONFIG_SET_STRING, key, value);
  }

  /** fsconfig(FSCONFIG_SET_FLAG, key). */
  public static void fsconfigFlag(int fsFd, String key) throws SyscallException {
    fsconfig(fsFd, FSCONFIG_SET_FLAG, key, null);
  }

  /** fsconfig(FSCONFIG_CMD_CREATE): creates the superblock. */
  public static void fsconfigCreate(int fsFd) throws SyscallException {
    fsconfig(fsFd, FSCONFIG_CMD_CREATE, null, null);
  }

  private static void fsconfig(int fsFd, int cmd, String key, String value)
      throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      int rc = (int) FSCONFIG.invokeExact(st, fsFd, cmd, str(arena, key), str(arena, value), 0);
      if (rc < 0) {
        int errno = Native.errno(st);
        String subject = key == null ? null : value == null ? key : key + "=" + value;
        throw new SyscallException("fsconfig", subject, errno, readFsLog(fsFd));
      }
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** fsmount(2) with FSMOUNT_CLOEXEC and MOUNT_ATTR_* flags: a detached mount's descriptor. */
  public static int fsmount(int fsFd, int attrs) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      int fd = (int) FSMOUNT.invokeExact(st, fsFd, FSMOUNT_CLOEXEC, attrs);
      if (fd < 0) {
        throw new SyscallException("fsmount", null, Native.errno(st), readFsLog(fsFd));
      }
      return fd;
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** move_mount(2) of a detached mount descriptor onto {@code target}. */
  public static void moveMount(int mountFd, Path target) throws SyscallException {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment st = Native.newCaptureState(arena);
      int rc =
          (int)
              MOVE_MOUNT.invokeExact(
                  st,
                  mountFd,
                  arena.allocateFrom(""),
                  AT_FDCWD,
                  arena.allocateFrom(target.toString()),
                  MOVE_MOUNT_F_EMPTY_PATH);
      if (rc < 0) {
        throw new SyscallException("move_mount", target.toString(), Native.errno(st), null);
      }
    } catch (SyscallException e) {
      throw e;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** close(2), ignoring errors (used in finally blocks). */
  public static void closeQuietly(int fd) {
    if (fd < 0) {
      return;
    }
    try (Arena arena = Arena.ofConfined()) {
      int ignored = (int) CLOSE.invokeExact(Native.newCaptureState(arena), fd);
      assert ignored == 0 || ignored == -1;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * The messages a filesystem context logged (the kernel's explanation of an EINVAL), one per line,
   * without the "e "/"w " prefixes; empty when there are none.
   */
  static String readFsLog(int fsFd) {
    StringBuilder out = new StringBuilder();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(4096);
      for (int i = 0; i < 16; i++) {
        long n = (long) READ.invokeExact(Native.newCaptureState(arena), fsFd, buf, 4096L);
        if (n <= 0) {
          break;
        }
        String msg = new String(buf.asSlice(0, n).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
        if (msg.length() > 2 && msg.charAt(1) == ' ') {
          msg = msg.substring(2);
        }
        if (!out.isEmpty()) {
          out.append("; ");
        }
        out.append(msg.strip());
      }
    } catch (Throwable t) {
      return out.toString();
    }
    return out.toString();
  }

  private static MemorySegment str(Arena arena, String s) {
    return s == null ? MemorySegment.NULL : arena.allocateFrom(s);
  }
}
