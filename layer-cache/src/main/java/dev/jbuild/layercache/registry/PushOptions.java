package dev.jbuild.layercache.registry;

import dev.jbuild.layercache.compress.Compression;
import java.util.List;
import java.util.Objects;

/**
 * How to push.
 *
 * @param compression for layers stored uncompressed (GZIP by default, ZSTD, or NONE)
 * @param threads compression threads per layer (default: all cores)
 * @param parallelism layers uploaded at once
 * @param mountFrom repositories on the destination registry that may hold the layers already (tried
 *     as cross-repository mounts), e.g. the base image's
 */
public record PushOptions(
    Compression compression, int threads, int parallelism, List<String> mountFrom) {
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

  public static PushOptions defaults() {
    return new PushOptions(
        Compression.GZIP, Runtime.getRuntime().availableProcessors(), 3, List.of());
  }

  public PushOptions withCompression(Compression c) {
    return new PushOptions(c, threads, parallelism, mountFrom);
  }

  public PushOptions withMountFrom(List<String> repositories) {
    return new PushOptions(compression, threads, parallelism, repositories);
  }
}
