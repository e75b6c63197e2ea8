package dev.jbuild.layercache.compress;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Layer compressions. Layers are written uncompressed, gzip (parallel, pigz-style: {@link
 * ParallelGzipOutputStream}) or zstd (zstd-jni's multi-threaded mode); all five are read, detected
 * from the stream's magic bytes (bzip2 and xz only appear in archives given to {@code ADD}).
 */
public enum Compression {
  NONE("", 0),
  GZIP("+gzip", 6),
  ZSTD("+zstd", 3),
  BZIP2("", 9),
  XZ("", 6);

  /** Bytes of lookahead {@link #detect(byte[], int)} needs. */
  public static final int MAGIC_LENGTH = 6;

  static final int IO_BUFFER = 256 * 1024;

  private final String mediaTypeSuffix;
  private final int defaultLevel;

  Compression(String mediaTypeSuffix, int defaultLevel) {
    this.mediaTypeSuffix = mediaTypeSuffix;
    this.defaultLevel = defaultLevel;
  }

  /** The OCI layer media type suffix: "", "+gzip" or "+zstd". */
  public String mediaTypeSuffix() {
    return mediaTypeSuffix;
  }

  /** The level used when the caller passes -1 (gzip 6 like Docker and pigz, zstd 3). */
  public int defaultLevel() {
    return defaultLevel;
  }

  /** True when jbuild writes this compression (NONE, GZIP, ZSTD). */
  public boolean writable() {
    return this == NONE || this == GZIP || this == ZSTD;
  }

  /** The compression whose magic bytes start {@code head} (NONE when none matches). */
  public static Compression detect(byte[] head, int length) {
    if (length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return GZIP;
    }
    if (length >= 4
        && (head[0] & 0xff) == 0x28
        && (head[1] & 0xff) == 0xb5
        && (head[2] & 0xff) == 0x2f
        && (head[3] & 0xff) == 0xfd) {
      return ZSTD;
    }
    if (length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
      return BZIP2;
    }
    if (length >= 6
        && (head[0] & 0xff) == 0xfd
        && head[1] == '7'
        && head[2] == 'z'
        && head[3] == 'X'
        && head[4] == 'Z'
        && head[5] == 0) {
      return XZ;
    }
    return NONE;
  }

  /** Detects the compression of {@code in} (which must support mark/reset). */
  public static Compression detect(InputStream in) throws IOException {
    if (!in.markSupported()) {
      throw new IllegalArgumentException("detect needs a stream that supports mark/reset");
    }
    in.mark(MAGIC_LENGTH);
    byte[] head = new byte[MAGIC_LENGTH];
    int n = in.readNBytes(head, 0, MAGIC_LENGTH);
    in.reset();
    return detect(head, n);
  }

  /** {@code in} decompressed according to its magic bytes (unchanged tar when uncompressed). */
  public static InputStream decompressing(InputStream in) throws IOException {
    InputStream buffered = in.markSupported() ? in : new BufferedInputStream(in, IO_BUFFER);
    return detect(buffered).decompress(buffered);
  }

  /** {@code in} decompressed with this compression. */
  public InputStream decompress(InputStream in) throws IOException {
    return switch (this) {
      case NONE -> in;
      case GZIP ->
          GzipCompressorInputStream.builder()
              .setInputStream(in)
              .setDecompressConcatenated(true)
              .setBufferSize(IO_BUFFER)
              .get();
      case ZSTD -> new BufferedInputStream(new ZstdInputStream(in), IO_BUFFER);
      case BZIP2 -> new BZip2CompressorInputStream(in, true);
      case XZ ->
          XZCompressorInputStream.builder()
              .setInputStream(in)
              .setDecompressConcatenated(true)
              .get();
    };
  }

  /**
   * An output stream compressing into {@code out}; closing it finishes the compressed stream and
   * closes {@code out}. The output depends only on the input and the level, never on {@code
   * threads}.
   *
   * @param level compression level, -1 for {@link #defaultLevel()}
   * @param threads worker threads (gzip blocks, zstd workers)
   */
  public OutputStream compress(OutputStream out, int level, int threads) throws IOException {
    int lvl = level < 0 ? defaultLevel : level;
    return switch (this) {
      case NONE -> out;
      case GZIP -> new ParallelGzipOutputStream(out, lvl, Math.max(1, threads));
      case ZSTD -> {
        ZstdOutputStream z = new ZstdOutputStream(out, lvl);
        // zstd's multi-threaded format is the same for any worker count >= 1: always use
        // workers so one and eight cores produce identical bytes.
        z.setWorkers(Math.max(1, threads));
        z.setChecksum(false);
        yield z;
      }
      case BZIP2, XZ ->
          throw new UnsupportedOperationException("jbuild does not write " + this + " layers");
    };
  }
}
