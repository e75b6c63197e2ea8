package dev.jbuild.layercache.registry;

import dev.jbuild.layercache.compress.Compression;
import java.util.List;
import java.util.Objects;

/**
 * How to push.
 *
 * @param compression for layers stored uncompressed (GZIP by default, ZSTD, or NONE)
 * @param level compression level, -1 = jbuild's default: gzip 1 (go-containerregistry's choice:
 *     several times faster than 6 for a few percent more bytes), zstd 3
 * @param threads compression threads per layer (default: all cores)
 * @param parallelism layers uploaded at once
 * @param mountFrom repositories on the destination registry that may hold the layers already (tried
 *     as cross-repository mounts), e.g. the base image's
 */
public record PushOptions(
    Compression compression, int level, int threads, int parallelism, List<String> mountFrom) {
  public PushOptions {
    Objects.requireNonNull(compression, "compression");
    if (!compression.writable()) {
      throw new IllegalArgumentException("cannot push layers compressed with " + compression);
    }
    if (threads < 1 || parallelism < 1) {
      throw new IllegalArgumentException("threads and parallelism must be >= 1");
    }
    mountFrom = List.copyOf(mountFrom);
  }

  /** The level to compress with (the default resolved). */
  public int effectiveLevel() {
    if (level >= 0) {
      return level;
    }
    return compression == Compression.GZIP ? 1 : compression.defaultLevel();
  }

  public static PushOptions defaults() {
    return new PushOptions(
        Compression.GZIP, -1, Runtime.getRuntime().availableProcessors(), 3, List.of());
  }

  public PushOptions withCompression(Compression c) {
    return new PushOptions(c, level, threads, parallelism, mountFrom);
  }

  public PushOptions withLevel(int l) {
    return new PushOptions(compression, l, threads, parallelism, mountFrom);
  }

  public PushOptions withMountFrom(List<String> repositories) {
    return new PushOptions(compression, level, threads, parallelism, repositories);
  }
}
