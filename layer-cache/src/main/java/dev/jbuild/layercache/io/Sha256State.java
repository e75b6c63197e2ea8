package dev.jbuild.layercache.io;

import dev.jbuild.layercache.model.Digest;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;

/**
 * Saves and restores the running state of the JDK's SHA-256 so a hash can be resumed in another
 * process: a rebuilt layer whose first hundreds of megabytes equal the previous layer's starts
 * hashing where they end (the prefix is copied in the kernel, not read and hashed again).
 *
 * <p>The JDK has no API for this; the state is read through reflection into its provider (the
 * launcher and tests open {@code java.base/java.security} and {@code sun.security.provider}). At
 * first use a self-test hashes a text in one go and in two halves with a saved and restored state;
 * when anything differs or cannot be reached, {@link #supported()} is false and callers hash
 * everything as usual, so a JDK that changes its internals makes builds slower, never wrong.
 */
public final class Sha256State {
  private static final Access ACCESS = Access.find();

  private Sha256State() {}

  /** True when states can be saved and restored on this JDK. */
  public static boolean supported() {
    return ACCESS != null;
  }

  /** The state of {@code md} (a JDK SHA-256), empty when not supported. */
  public static Optional<byte[]> save(MessageDigest md) {
    if (ACCESS == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ACCESS.save(md));
    } catch (ReflectiveOperationException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** A SHA-256 in the state {@code saved}, empty when not supported or the state is invalid. */
  public static Optional<MessageDigest> restore(byte[] saved) {
    if (ACCESS == null) {
      return Optional.empty();
    }
    try {
      MessageDigest md = Digest.newSha256();
      ACCESS.restore(md, saved);
      return Optional.of(md);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The reflective handles, or null. */
  private record Access(Field spi, Field state, Field buffer, Field bufOfs, Field processed) {
    static Access find() {
      try {
        MessageDigest md = Digest.newSha256();
        Field spi = field(md.getClass(), "digestSpi");
        spi.setAccessible(true);
        Class<?> sha2 = Class.forName("sun.security.provider.SHA2");
        Class<?> base = Class.forName("sun.security.provider.DigestBase");
        Field state = sha2.getDeclaredField("state");
        Field buffer = base.getDeclaredField("buffer");
        Field bufOfs = base.getDeclaredField("bufOfs");
        Field processed = base.getDeclaredField("bytesProcessed");
        for (Field f : new Field[] {state, buffer, bufOfs, processed}) {
          f.setAccessible(true);
        }
        Access a = new Access(spi, state, buffer, bufOfs, processed);
        return a.selfTest() ? a : null;
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }

    /** A field declared by {@code c} or one of its superclasses. */
    static Field field(Class<?> c, String name) throws NoSuchFieldException {
      for (Class<?> k = c; k != null; k = k.getSuperclass()) {
        try {
          return k.getDeclaredField(name);
        } catch (NoSuchFieldException e) {
          // look further up
        }
      }
      throw new NoSuchFieldException(name);
    }

    boolean selfTest() throws ReflectiveOperationException {
      byte[] text =
          "jbuild resumes SHA-256 at entry boundaries; ".repeat(7).getBytes(StandardCharsets.UTF_8);
      byte[] whole = Digest.newSha256().digest(text);
      for (int cut : new int[] {0, 1, 64, 100, text.length}) {
        MessageDigest first = Digest.newSha256();
        first.update(text, 0, cut);
        byte[] saved = save(first);
        MessageDigest second = Digest.newSha256();
        restore(second, saved);
        second.update(text, cut, text.length - cut);
        if (!Arrays.equals(whole, second.digest())) {
          return false;
        }
      }
      return true;
    }

    byte[] save(MessageDigest md) throws ReflectiveOperationException {
      Object s = spi.get(md);
      int[] st = (int[]) state.get(s);
      byte[] buf = (byte[]) buffer.get(s);
      int ofs = bufOfs.getInt(s);
      long done = processed.getLong(s);
      ByteBuffer b = ByteBuffer.allocate(4 + st.length * 4 + 4 + ofs + 8);
      b.putInt(st.length);
      for (int v : st) {
        b.putInt(v);
      }
      b.putInt(ofs).put(buf, 0, ofs).putLong(done);
      return b.array();
    }

    void restore(MessageDigest md, byte[] saved) throws ReflectiveOperationException {
      ByteBuffer b = ByteBuffer.wrap(saved);
      Object s = spi.get(md);
      int[] st = (int[]) state.get(s);
      int n = b.getInt();
      if (n != st.length) {
        throw new IllegalArgumentException("not a SHA-256 state");
      }
      for (int i = 0; i < n; i++) {
        st[i] = b.getInt();
      }
      byte[] buf = (byte[]) buffer.get(s);
      int ofs = b.getInt();
      if (ofs < 0 || ofs > buf.length) {
        throw new IllegalArgumentException("bad buffer offset");
      }
      b.get(buf, 0, ofs);
      bufOfs.setInt(s, ofs);
      processed.setLong(s, b.getLong());
      if (b.hasRemaining()) {
        throw new IllegalArgumentException("trailing bytes in a SHA-256 state");
      }
    }
  }
}
