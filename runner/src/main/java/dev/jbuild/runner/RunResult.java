package dev.jbuild.runner;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import java.time.Duration;
import java.util.Optional;

/**
 * What a RUN step did.
 *
 * @param exitCode the command's exit status (128 + signal when killed by one)
 * @param layer the diff layer, stored as an uncompressed blob and unpacked in the layer store;
 *     empty when the command failed or changed nothing
 * @param duration wall time of the whole step: mount, runtime, diff
 */
public record RunResult(int exitCode, Optional<DiffLayer> layer, Duration duration) {
  /** A layer a step produced: its blob (uncompressed tar) and diff ID (the blob's digest). */
  public record DiffLayer(Descriptor blob, Digest diffId) {}

  public boolean succeeded() {
    return exitCode == 0;
  }
}
