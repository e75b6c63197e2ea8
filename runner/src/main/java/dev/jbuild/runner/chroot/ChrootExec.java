package dev.jbuild.runner.chroot;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.jbuild.layercache.fs.Native;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The helper process of a chroot step (a small JVM started by {@link StepProcess}): chroot into the
 * copied root, chdir to the working directory, drop CAP_SYS_CHROOT from the bounding set (the step
 * cannot chroot back out), take the step's groups, gid and uid, mark every descriptor above 2
 * close-on-exec, unblock all signals and execve the command, looked up in the step's PATH inside
 * the new root. Usage: {@code ChrootExec SPEC ERRORFILE}. When it cannot exec, it writes one line
 * to ERRORFILE and exits with 125 (cannot set up), 126 (not executable) or 127 (not found).
 */
public final class ChrootExec {
  private static final int PR_CAPBSET_DROP = 24;
  private static final int CAP_SYS_CHROOT = 18;
  private static final int CLOSE_RANGE_CLOEXEC = 4;
  private static final int SIG_SETMASK = 2;
  private static final String DEFAULT_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private ChrootExec() {}

  private static final class Failure extends Exception {
    final int code;

    Failure(String message, int code) {
      super(message);
      this.code = code;
    }
  }

  public static void main(String[] args) throws IOException {
    ExecSpec spec;
    try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
      spec = ExecSpec.read(in);
    }
    OutputStream err = new FileOutputStream(args[1]);
    try {
      exec(spec);
    } catch (Failure f) {
      err.write((f.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
      err.flush();
      Runtime.getRuntime().halt(f.code);
    } catch (Throwable t) {
      err.write(("cannot start the command: " + t + "\n").getBytes(StandardCharsets.UTF_8));
      err.flush();
      Runtime.getRuntime().halt(125);
    }
  }

  @SuppressWarnings("restricted")
  private static void exec(ExecSpec spec) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Native.newCaptureState(arena);
      call(
          state,
          "chroot",
          FunctionDescriptor.of(JAVA_INT, ADDRESS),
          spec.rootfs(),
          arena.allocateFrom(spec.rootfs()));
      call(state, "chdir", FunctionDescriptor.of(JAVA_INT, ADDRESS), "/", arena.allocateFrom("/"));
      try {
        call(
            state,
            "chdir",
            FunctionDescriptor.of(JAVA_INT, ADDRESS),
            spec.workdir(),
            arena.allocateFrom(spec.workdir()));
      } catch (Failure f) {
        throw new Failure(
            "chdir to working directory " + spec.workdir() + ": " + f.getMessage(), 125);
      }
      MethodHandle prctl =
          Native.downcall(
              "prctl",
              FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
              Linker.Option.firstVariadicArg(1));
      check(
          state,
          (int) prctl.invokeExact(state, PR_CAPBSET_DROP, (long) CAP_SYS_CHROOT, 0L, 0L, 0L),
          "prctl(PR_CAPBSET_DROP)");
      MemorySegment groups = arena.allocate(JAVA_INT, Math.max(1, spec.groups().size()));
      for (int i = 0; i < spec.groups().size(); i++) {
        groups.setAtIndex(JAVA_INT, i, (int) (long) spec.groups().get(i));
      }
      call(
          state,
          "setgroups",
          FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS),
          "setgroups",
          (long) spec.groups().size(),
          groups);
      call(state, "setgid", FunctionDescriptor.of(JAVA_INT, JAVA_INT), "setgid", (int) spec.gid());
      call(state, "setuid", FunctionDescriptor.of(JAVA_INT, JAVA_INT), "setuid", (int) spec.uid());
      String path = lookup(spec.argv().getFirst(), spec.env());
      MemorySegment argv = cStrings(arena, spec.argv());
      MemorySegment envp = cStrings(arena, spec.env());
      MemorySegment file = arena.allocateFrom(path);
      MemorySegment empty = arena.allocate(128);
      MethodHandle sigmask =
          Native.downcall(
              "sigprocmask", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
      check(
          state,
          (int) sigmask.invokeExact(state, SIG_SETMASK, empty, MemorySegment.NULL),
          "sigprocmask");
      MethodHandle closeRange =
          Native.downcall(
              "close_range", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
      check(state, (int) closeRange.invokeExact(state, 3, -1, CLOSE_RANGE_CLOEXEC), "close_range");
      MethodHandle execve =
          Native.downcall("execve", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
      int rc = (int) execve.invokeExact(state, file, argv, envp);
      int errno = Native.errno(state);
      throw new Failure(
          "exec " + quote(spec.argv().getFirst()) + ": " + Native.strerror(errno).toLowerCase(),
          errno == 2 ? 127 : 126);
    }
  }

  /** The executable for {@code name}: as is when it has a slash, else the first in PATH. */
  static String lookup(String name, List<String> env) throws Failure {
    if (name.contains("/")) {
      return name;
    }
    String path = DEFAULT_PATH;
    for (String e : env) {
      if (e.startsWith("PATH=")) {
        path = e.substring(5);
      }
    }
    for (String dir : path.split(":", -1)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir).resolve(name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new Failure("exec: " + quote(name) + ": executable file not found in $PATH", 127);
  }

  private static String quote(String s) {
    return "\"" + s + "\"";
  }

  private static void call(
      MemorySegment state, String name, FunctionDescriptor d, String operand, Object... args)
      throws Throwable {
    MethodHandle h = Native.downcall(name, d);
    Object[] all = new Object[args.length + 1];
    all[0] = state;
    System.arraycopy(args, 0, all, 1, args.length);
    check(state, (int) h.invokeWithArguments(all), name + " " + operand);
  }

  private static void check(MemorySegment state, int rc, String what) throws Failure {
    if (rc == -1) {
      throw new Failure(what + ": " + Native.strerror(Native.errno(state)), 125);
    }
  }

  private static MemorySegment cStrings(Arena arena, List<String> strings) {
    MemorySegment array = arena.allocate(ADDRESS, strings.size() + 1L);
    for (int i = 0; i < strings.size(); i++) {
      array.setAtIndex(ADDRESS, i, arena.allocateFrom(strings.get(i)));
    }
    array.setAtIndex(ADDRESS, strings.size(), MemorySegment.NULL);
    return array;
  }
}
