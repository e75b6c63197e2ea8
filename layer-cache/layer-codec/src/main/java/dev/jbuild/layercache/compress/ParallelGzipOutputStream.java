package dev.jbuild.layercache.compress;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * gzip on several cores, the way pigz does it: the input is cut into fixed 128 KiB blocks; each
 * block is deflated independently (raw deflate, the previous block's last 32 KiB as preset
 * dictionary) and ends with a sync flush (an empty stored block), the last one with the final
 * block; the pieces concatenate into one valid deflate stream inside a single gzip member. The
 * CRC32 is computed in the writing thread (an intrinsic, many GB/s). The header is fixed (mtime 0,
 * no name, OS 255), so the output depends only on the input and the level: not on the thread count
 * nor on how the input was split into writes. A block whose beginning does not compress (random or
 * already compressed bytes) is stored instead of deflated, as Go's deflate (skopeo, docker) skips
 * incompressible data: 4x the throughput there, a few bytes more output.
 *
 * <p>When the system has libdeflate ({@link LibDeflate}), blocks are 1 MiB and each is a whole gzip
 * member compressed by libdeflate (about 2.5x zlib's speed at level 6, and smaller): a multi-member
 * gzip, read as one stream by gzip, Go and the JDK. Still a function of the input and the level
 * (and of the libdeflate version).
 */
public final class ParallelGzipOutputStream extends OutputStream {
  static final int BLOCK = 128 * 1024;
  static final int DICT = 32 * 1024;
  static final int PROBE = 16 * 1024;

  // level-independent, so shared by every stream a thread works for
  private static final ThreadLocal<Deflater> STORERS =
      ThreadLocal.withInitial(() -> new Deflater(0, true));
  private static final ThreadLocal<Deflater> PROBES =
      ThreadLocal.withInitial(() -> new Deflater(1, true));
  private static final ThreadLocal<byte[]> PROBE_OUT =
      ThreadLocal.withInitial(() -> new byte[PROBE + 1024]);

  /** Block size of the libdeflate scheme: one gzip member per MiB. */
  static final int MEMBER_BLOCK = 1 << 20;

  private final OutputStream out;
  private final int level;
  private final boolean members;
  private final int blockSize;
  private final ExecutorService pool;
  private final int maxPending;
  private final ArrayDeque<Future<byte[]>> pending = new ArrayDeque<>();
  private final CRC32 crc = new CRC32();
  private final ThreadLocal<Deflater> deflaters;
  private final Deflater inline;
  private byte[] block;
  private byte[] previous;
  private int fill;
  private long total;
  private boolean closed;

  /**
   * @param level deflate level 0-9
   * @param threads worker threads; 1 compresses in the calling thread
   */
  public ParallelGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
    this(out, level, threads, LibDeflate.available());
  }

  /** Whether gzip streams are made of libdeflate members (libdeflate0 is installed). */
  public static boolean usesLibDeflate() {
    return LibDeflate.available();
  }

  ParallelGzipOutputStream(OutputStream out, int level, int threads, boolean libdeflate)
      throws IOException {
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("gzip level must be 0-9: " + level);
    }
    this.out = out;
    this.level = level;
    this.members = level > 0 && libdeflate;
    this.blockSize = members ? MEMBER_BLOCK : BLOCK;
    this.block = new byte[blockSize];
    this.deflaters = ThreadLocal.withInitial(() -> new Deflater(level, true));
    this.inline = threads > 1 ? null : new Deflater(level, true);
    if (threads > 1) {
      this.pool =
          Executors.newFixedThreadPool(
              threads,
              r -> {
                Thread t = new Thread(r, "jbuild-gzip");
                t.setDaemon(true);
                return t;
              });
      this.maxPending = threads * 2;
    } else {
      this.pool = null;
      this.maxPending = 0;
    }
    if (members) {
      return; // every block is a whole gzip member
    }
    out.write(
        new byte[] {
          0x1f,
          (byte) 0x8b,
          8,
          0,
          0,
          0,
          0,
          0,
          (byte) (level == 9 ? 2 : level == 1 ? 4 : 0),
          (byte) 255
        });
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    ensureOpen();
    if (!members) {
      crc.update(b, off, len); // members carry their own CRCs
    }
    total += len;
    while (len > 0) {
      int n = Math.min(len, blockSize - fill);
      System.arraycopy(b, off, block, fill, n);
      fill += n;
      off += n;
      len -= n;
      if (fill == blockSize) {
        submit(false);
      }
    }
  }

  /** Reads {@code in} to its end straight into the block buffers (one copy fewer than write). */
  public long transferFrom(InputStream in) throws IOException {
    ensureOpen();
    long count = 0;
    while (true) {
      int n = in.read(block, fill, blockSize - fill);
      if (n < 0) {
        return count;
      }
      if (!members) {
        crc.update(block, fill, n);
      }
      total += n;
      count += n;
      fill += n;
      if (fill == blockSize) {
        submit(false);
      }
    }
  }

  private void submit(boolean last) throws IOException {
    byte[] data = block;
    int length = fill;
    byte[] dict = previous;
    if (members && length == 0 && (!last || total > 0)) {
      block = last ? null : block;
      return; // no empty members, but an empty input still makes one
    }
    if (pool == null) {
      out.write(members ? member(data, length) : deflate(dict, data, length, last));
    } else {
      pending.add(
          pool.submit(() -> members ? member(data, length) : deflate(dict, data, length, last)));
      while (pending.size() > maxPending) {
        out.write(await(pending.poll()));
      }
    }
    previous = data;
    block = last ? null : new byte[blockSize];
    fill = 0;
  }

  /**
   * Whether a block is not worth deflating: its first {@link #PROBE} bytes do not shrink by 2% at
   * level 1 (random or already compressed data, where level 6 spends its time for nothing). Such a
   * block is stored. A test of the data alone, so the output stays a function of the input.
   */
  private boolean incompressible(byte[] data, int length) {
    if (level == 0 || length < PROBE) {
      return false;
    }
    Deflater p = PROBES.get();
    p.reset();
    p.setInput(data, 0, PROBE);
    p.finish();
    byte[] sink = PROBE_OUT.get();
    int n = 0;
    while (!p.finished() && n < sink.length) {
      n += p.deflate(sink, n, sink.length - n);
    }
    return !p.finished() || n >= PROBE - PROBE / 50;
  }

  /** One gzip member: libdeflate's, or stored blocks when the data does not compress. */
  private byte[] member(byte[] data, int length) {
    if (!incompressible(data, length)) {
      return LibDeflate.gzipMember(level, data, length);
    }
    int blocks = Math.max(1, (length + 65534) / 65535);
    byte[] m = new byte[10 + length + 5 * blocks + 8];
    m[0] = 0x1f;
    m[1] = (byte) 0x8b;
    m[2] = 8;
    m[9] = (byte) 255;
    int at = 10;
    for (int i = 0, off = 0; i < blocks; i++) {
      int n = Math.min(65535, length - off);
      m[at++] = (byte) (i == blocks - 1 ? 1 : 0); // BFINAL, BTYPE 00 (stored)
      m[at++] = (byte) n;
      m[at++] = (byte) (n >>> 8);
      m[at++] = (byte) ~n;
      m[at++] = (byte) (~n >>> 8);
      System.arraycopy(data, off, m, at, n);
      at += n;
      off += n;
    }
    CRC32 c = new CRC32();
    c.update(data, 0, length);
    long v = c.getValue();
    for (int i = 0; i < 4; i++) {
      m[at++] = (byte) (v >>> (8 * i));
    }
    for (int i = 0; i < 4; i++) {
      m[at++] = (byte) (length >>> (8 * i));
    }
    return m;
  }

  private byte[] deflate(byte[] dict, byte[] data, int length, boolean last) {
    boolean store = incompressible(data, length);
    // a Deflater per level: changing the level of one mid-life would make its output depend on
    // what it compressed before (zlib's deflateParams flushes with the old level)
    Deflater d = store ? STORERS.get() : inline != null ? inline : deflaters.get();
    d.reset();
    if (dict != null && level > 0 && !store) {
      d.setDictionary(dict, BLOCK - DICT, DICT);
    }
    d.setInput(data, 0, length);
    byte[] buf = new byte[length + (length >> 3) + 1024];
    int n = 0;
    if (last) {
      d.finish();
      while (!d.finished()) {
        if (n == buf.length) {
          buf = Arrays.copyOf(buf, buf.length * 2);
        }
        n += d.deflate(buf, n, buf.length - n);
      }
    } else {
      while (true) {
        if (n == buf.length) {
          buf = Arrays.copyOf(buf, buf.length * 2);
        }
        int free = buf.length - n;
        int got = d.deflate(buf, n, free, Deflater.SYNC_FLUSH);
        n += got;
        if (got < free) {
          break;
        }
      }
    }
    return n == buf.length ? buf : Arrays.copyOf(buf, n);
  }

  private static byte[] await(Future<byte[]> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("gzip compression interrupted");
    } catch (ExecutionException e) {
      throw new IOException("gzip compression failed: " + e.getCause(), e.getCause());
    }
  }

  /** Writes the last block and the trailer, without closing the underlying stream. */
  public void finish() throws IOException {
    ensureOpen();
    submit(true);
    while (!pending.isEmpty()) {
      out.write(await(pending.poll()));
    }
    if (members) {
      out.flush();
      shutdown();
      closed = true;
      return;
    }
    long c = crc.getValue();
    long size = total & 0xffffffffL;
    out.write(
        new byte[] {
          (byte) c,
          (byte) (c >>> 8),
          (byte) (c >>> 16),
          (byte) (c >>> 24),
          (byte) size,
          (byte) (size >>> 8),
          (byte) (size >>> 16),
          (byte) (size >>> 24)
        });
    out.flush();
    shutdown();
    closed = true;
  }

  @Override
  public void flush() throws IOException {
    // Blocks are cut at fixed offsets only (determinism): flushing the underlying stream is all.
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      out.close();
      return;
    }
    try {
      finish();
    } finally {
      shutdown();
      closed = true;
      out.close();
    }
  }

  /** Stops the workers without writing anything more (for abandoned streams). */
  public void abort() {
    shutdown();
    closed = true;
  }

  private void shutdown() {
    if (pool != null) {
      pool.shutdownNow();
    }
    if (inline != null) {
      inline.end();
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("gzip stream already finished");
    }
  }
}
