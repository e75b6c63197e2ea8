package dev.jbuild.runner;

import dev.jbuild.runner.exec.SandboxRunner;
import java.io.IOException;

/**
 * Runs RUN steps: the command in an isolated container over the layer chain, its changes captured
 * as a new layer. Thread-safe: one runner serves parallel stages.
 */
public interface Runner extends AutoCloseable {
  /**
   * Runs the request. A non-zero exit code is a result, not an exception.
   *
   * @throws RunnerException when the step could not run (unknown user, runtime failure, missing
   *     command), with Docker's exit code for it
   * @throws InterruptedException when the calling thread was interrupted (the container is killed
   *     and everything cleaned up)
   */
  RunResult run(RunRequest request) throws IOException, InterruptedException;

  /**
   * Releases what the runner keeps between steps (the build's private network); the runner stays
   * usable. Also done by the shutdown hook.
   */
  @Override
  default void close() throws IOException {}

  /** The default runner: overlayfs snapshots and an OCI runtime (runc). */
  static Runner create() {
    return new SandboxRunner();
  }
}
