package dev.jbuild.layercache.fs;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Downcalls into libc through the Foreign Function &amp; Memory API, with errno captured by the
 * linker (reading errno after the call from Java would be unreliable: the JVM may run code that
 * changes it in between).
 *
 * <p>Two ways to use it:
 *
 * <ul>
 *   <li>{@link #function}: a named libc function whose calls return {@code long} and throw {@link
 *       PosixException} when the C function returns -1. Convenient for rare calls such as {@code
 *       mount(2)}:
 *       <pre>{@code
 * Native.Function mount = Native.function("mount",
 *     FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
 * try (Arena arena = Arena.ofConfined()) {
 *   mount.call(target.toString(), arena.allocateFrom("overlay"), arena.allocateFrom(target.toString()),
 *       arena.allocateFrom("overlay"), 0L, arena.allocateFrom(options));
 * }
 * }</pre>
 *   <li>{@link #downcall}: the raw {@link MethodHandle} whose first parameter is the capture-state
 *       segment ({@link #newCaptureState}), for hot paths that call it with {@code invokeExact} and
 *       read {@link #errno} themselves.
 * </ul>
 */
@SuppressWarnings("restricted")
public final class Native {
  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LIBC = LINKER.defaultLookup();
  private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
  private static final MethodHandle STRERROR =
      LINKER.downcallHandle(
          find("strerror"), FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

  private Native() {}

  /** The address of a libc symbol; {@link UnsatisfiedLinkError} when libc lacks it. */
  public static MemorySegment find(String name) {
    return LIBC.find(name)
        .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
  }

  /**
   * The first of {@code names} (sonames, e.g. "libcrypto.so.3", "libcrypto.so") that loads, for the
   * optional libraries jbuild uses when the system has them; empty when none does.
   */
  public static Optional<SymbolLookup> library(String... names) {
    for (String name : names) {
      try {
        return Optional.of(SymbolLookup.libraryLookup(name, Arena.global()));
      } catch (IllegalArgumentException notFound) {
        // try the next name
      }
    }
    return Optional.empty();
  }

  /**
   * What to throw for a {@code Throwable} a downcall's {@code invokeExact} declared: runtime
   * exceptions and errors as they are, anything else wrapped.
   */
  public static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(t);
  }

  /** True when libc exports {@code name}. */
  public static boolean has(String name) {
    return LIBC.find(name).isPresent();
  }

  /**
   * A downcall handle for libc's {@code name} that captures errno: its first parameter is a segment
   * from {@link #newCaptureState}, followed by the parameters of {@code descriptor}.
   */
  public static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
    return LINKER.downcallHandle(find(name), descriptor, CAPTURE_ERRNO);
  }

  /** {@link #downcall} with more linker options (e.g. {@code firstVariadicArg} for syscall(2)). */
  public static MethodHandle downcall(
      String name, FunctionDescriptor descriptor, Linker.Option option) {
    return LINKER.downcallHandle(find(name), descriptor, CAPTURE_ERRNO, option);
  }

  /** A downcall handle without errno capture (for functions that cannot fail). */
  public static MethodHandle downcallNoErrno(String name, FunctionDescriptor descriptor) {
    return LINKER.downcallHandle(find(name), descriptor);
  }

  /** A segment to pass as the first argument of a {@link #downcall} handle. */
  public static MemorySegment newCaptureState(Arena arena) {
    return arena.allocate(CAPTURE_LAYOUT);
  }

  /** The errno a {@link #downcall} handle stored in {@code captureState}. */
  public static int errno(MemorySegment captureState) {
    return (int) ERRNO.get(captureState, 0L);
  }

  /** The C library's text for errno {@code errno}, e.g. "No such file or directory". */
  public static String strerror(int errno) {
    try {
      MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
      return s.reinterpret(1024).getString(0);
    } catch (Throwable t) {
      return "errno " + errno;
    }
  }

  /** A libc function called through {@link Function#call}. */
  public static Function function(String name, FunctionDescriptor descriptor) {
    return new Function(name, downcall(name, descriptor));
  }

  /** A libc function whose -1 result becomes a {@link PosixException}. */
  public static final class Function {
    private final String name;
    private final MethodHandle handle;

    private Function(String name, MethodHandle handle) {
      this.name = Objects.requireNonNull(name);
      this.handle = handle;
    }

    public String name() {
      return name;
    }

    /**
     * Calls the function with {@code args} (boxed; segments for pointers) and returns its result
     * widened to {@code long} (0 for void functions).
     *
     * @param operand what the error message names (usually the path)
     * @throws PosixException when the function returns -1, with the captured errno
     */
    public long call(String operand, Object... args) throws PosixException {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment state = newCaptureState(arena);
        List<Object> all = new ArrayList<>(args.length + 1);
        all.add(state);
        all.addAll(List.of(args));
        Object result;
        try {
          result = handle.invokeWithArguments(all);
        } catch (RuntimeException | Error e) {
          throw e;
        } catch (Throwable t) {
          throw new IllegalStateException("downcall " + name + " failed", t);
        }
        long value =
            switch (result) {
              case null -> 0L;
              case Integer i -> i;
              case Long l -> l;
              case Short s -> s;
              case Byte b -> b;
              case MemorySegment m -> m.address();
              default -> 0L;
            };
        if (value == -1) {
          throw new PosixException(name, operand, errno(state));
        }
        return value;
      }
    }
  }
}
