package dev.jbuild.layercache.model;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * SHA-256 computed by the system's libcrypto (OpenSSL 3, SHA-NI on x86) through the Foreign
 * Function API. Two reasons to prefer it over the JDK's: the JDK's SHA-256 is only fast once C2 has
 * compiled it, and jbuild's JVM runs with C1 alone (a short-lived process spends less time
 * compiling that way: no-op rebuilds are a third faster), where the JDK's hash is six times slower;
 * and OpenSSL's state is a plain 112-byte struct, so a hash can be saved and resumed in another
 * process (a rebuilt layer continues hashing where its unchanged beginning ends).
 *
 * <p>The context lives in a Java array passed to the C calls as a critical heap segment: no native
 * allocation, cloning is an array copy. When libcrypto is missing or fails its self-test, {@link
 * #available()} is false and callers use the JDK's implementation.
 */
@SuppressWarnings("restricted")
public final class NativeSha256 extends MessageDigest implements Cloneable {
  /** sizeof(SHA256_CTX): h[8], Nl, Nh, data[16], num, md_len as 32-bit words. */
  static final int CTX_BYTES = 112;

  private static final Handles H = Handles.load();

  private byte[] ctx = new byte[CTX_BYTES];
  private final byte[] one = new byte[1];

  private NativeSha256() {
    super("SHA-256");
    init();
  }

  /** True when libcrypto's SHA-256 is usable. */
  public static boolean available() {
    return H != null;
  }

  /** A fresh native SHA-256, or empty when libcrypto is not usable. */
  public static Optional<MessageDigest> create() {
    return H == null ? Optional.empty() : Optional.of(new NativeSha256());
  }

  /** The running state, to continue this hash elsewhere with {@link #resume}. */
  public byte[] state() {
    return ctx.clone();
  }

  /** A native SHA-256 in the saved state {@code state}; empty when not available or invalid. */
  public static Optional<MessageDigest> resume(byte[] state) {
    if (H == null || state == null || state.length != CTX_BYTES) {
      return Optional.empty();
    }
    NativeSha256 md = new NativeSha256();
    md.ctx = state.clone();
    return Optional.of(md);
  }

  private void init() {
    try {
      int ok = (int) H.init.invokeExact(MemorySegment.ofArray(ctx));
      if (ok != 1) {
        throw new IllegalStateException("SHA256_Init failed");
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  protected void engineUpdate(byte input) {
    one[0] = input;
    engineUpdate(one, 0, 1);
  }

  @Override
  protected void engineUpdate(byte[] input, int offset, int len) {
    if (len == 0) {
      return;
    }
    java.util.Objects.checkFromIndexSize(offset, len, input.length);
    try {
      int ok =
          (int)
              H.update.invokeExact(
                  MemorySegment.ofArray(ctx),
                  MemorySegment.ofArray(input).asSlice(offset, len),
                  (long) len);
      if (ok != 1) {
        throw new IllegalStateException("SHA256_Update failed");
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  @Override
  protected byte[] engineDigest() {
    byte[] out = new byte[32];
    try {
      int ok = (int) H.finish.invokeExact(MemorySegment.ofArray(out), MemorySegment.ofArray(ctx));
      if (ok != 1) {
        throw new IllegalStateException("SHA256_Final failed");
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
    init();
    return out;
  }

  @Override
  protected void engineReset() {
    init();
  }

  @Override
  protected int engineGetDigestLength() {
    return 32;
  }

  @Override
  public Object clone() throws CloneNotSupportedException {
    NativeSha256 c = (NativeSha256) super.clone();
    c.ctx = ctx.clone();
    return c;
  }

  /** The three downcalls declare no checked exception: anything else is a bug, not an I/O error. */
  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(t);
  }

  /**
   * libcrypto by its versioned name, else the development link; null when neither is installed.
   * (Looked up here rather than through layer-codec's {@code fs.Native}: the digest belongs to the
   * model, which the codec builds on.)
   */
  private static SymbolLookup libcrypto() {
    for (String name : new String[] {"libcrypto.so.3", "libcrypto.so"}) {
      try {
        return SymbolLookup.libraryLookup(name, Arena.global());
      } catch (IllegalArgumentException notFound) {
        // try the next name
      }
    }
    return null;
  }

  /** libcrypto's SHA256_Init/Update/Final, or null. */
  private record Handles(MethodHandle init, MethodHandle update, MethodHandle finish) {
    static Handles load() {
      if ("1".equals(System.getProperty("jbuild.nativeSha256.disable"))) {
        return null;
      }
      try {
        SymbolLookup crypto = libcrypto();
        if (crypto == null) {
          return null;
        }
        Linker linker = Linker.nativeLinker();
        Linker.Option heap = Linker.Option.critical(true);
        MethodHandle init =
            linker.downcallHandle(
                crypto.find("SHA256_Init").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS),
                heap);
        MethodHandle update =
            linker.downcallHandle(
                crypto.find("SHA256_Update").orElseThrow(),
                FunctionDescriptor.of(
                    ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG),
                heap);
        MethodHandle finish =
            linker.downcallHandle(
                crypto.find("SHA256_Final").orElseThrow(),
                FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS),
                heap);
        Handles h = new Handles(init, update, finish);
        return h.selfTest() ? h : null;
      } catch (RuntimeException | LinkageError e) {
        return null;
      }
    }

    /** The FIPS 180-2 test vector, in one piece and resumed from a saved state. */
    boolean selfTest() {
      byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
      String want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
      try {
        byte[] ctx = new byte[CTX_BYTES];
        byte[] out = new byte[32];
        if ((int) init.invokeExact(MemorySegment.ofArray(ctx)) != 1
            || (int)
                    update.invokeExact(
                        MemorySegment.ofArray(ctx), MemorySegment.ofArray(abc).asSlice(0, 1), 1L)
                != 1) {
          return false;
        }
        byte[] copy = Arrays.copyOf(ctx, ctx.length);
        if ((int)
                    update.invokeExact(
                        MemorySegment.ofArray(copy), MemorySegment.ofArray(abc).asSlice(1, 2), 2L)
                != 1
            || (int) finish.invokeExact(MemorySegment.ofArray(out), MemorySegment.ofArray(copy))
                != 1) {
          return false;
        }
        return HexFormat.of().formatHex(out).equals(want);
      } catch (Throwable t) {
        return false;
      }
    }
  }
}
