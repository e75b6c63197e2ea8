package dev.jbuild.layercache.tar;

import dev.jbuild.layercache.compress.Compression;
import java.time.Instant;
import java.util.Objects;

/**
 * How {@link LayerWriter} writes a layer.
 *
 * @param compression NONE, GZIP or ZSTD
 * @param level compression level, -1 for the compression's default (gzip 6, zstd 3)
 * @param sourceDateEpoch when not null, every mtime later than it is written as it
 *     (SOURCE_DATE_EPOCH semantics: {@code min(mtime, epoch)})
 * @param threads compression threads (the output does not depend on it)
 */
public record LayerWriterOptions(
    Compression compression, int level, Instant sourceDateEpoch, int threads) {
  public LayerWriterOptions {
    Objects.requireNonNull(compression, "compression");
    if (!compression.writable()) {
      throw new IllegalArgumentException("cannot write " + compression + " layers");
    }
    if (level < -1 || level > 22) {
      throw new IllegalArgumentException("invalid compression level " + level);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1: " + threads);
    }
  }

  /** Uncompressed, no SOURCE_DATE_EPOCH, all cores. */
  public static LayerWriterOptions defaults() {
    return new LayerWriterOptions(
        Compression.NONE, -1, null, Runtime.getRuntime().availableProcessors());
  }

  public static LayerWriterOptions of(Compression compression) {
    return defaults().withCompression(compression);
  }

  public LayerWriterOptions withCompression(Compression c) {
    return new LayerWriterOptions(c, level, sourceDateEpoch, threads);
  }

  public LayerWriterOptions withLevel(int l) {
    return new LayerWriterOptions(compression, l, sourceDateEpoch, threads);
  }

  public LayerWriterOptions withSourceDateEpoch(Instant epoch) {
    return new LayerWriterOptions(compression, level, epoch, threads);
  }

  public LayerWriterOptions withThreads(int t) {
    return new LayerWriterOptions(compression, level, sourceDateEpoch, t);
  }

  /**
   * The instant in the environment variable SOURCE_DATE_EPOCH (seconds since 1970), or null when it
   * is unset or empty.
   *
   * @throws IllegalArgumentException when it is set but not an integer
   */
  public static Instant sourceDateEpochFromEnvironment() {
    return parseSourceDateEpoch(System.getenv("SOURCE_DATE_EPOCH"));
  }

  /** Parses a SOURCE_DATE_EPOCH value; null or empty gives null. */
  public static Instant parseSourceDateEpoch(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Instant.ofEpochSecond(Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "SOURCE_DATE_EPOCH must be a number of seconds since 1970: " + value);
    }
  }
}
