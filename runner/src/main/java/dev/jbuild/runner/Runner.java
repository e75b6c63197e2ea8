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
   * A hint that a RUN step with {@code network} will probably run soon in {@code store} (the build
   * is pulling the base of a stage that has one, or a step before it missed the cache): the runner
   * may start what such a step needs, the private network, in the background. Never fails and never
   * blocks; by default it does nothing.
   */
  default void expect(dev.jbuild.layercache.store.Store store, Network network) {}

  /**
   * Releases what the runner keeps between steps (the build's private network); the runner stays
   * usable. Also done by the shutdown hook.
   */
  @Override
  default void close() throws IOException {}

  /**
   * The runner of this process's {@link Isolation}: overlayfs snapshots and an OCI runtime (runc)
   * as root and rootless, a copied root filesystem and chroot in chroot mode.
   */
  static Runner create() throws RunnerException {
    return switch (Isolation.current()) {
      case ROOT, ROOTLESS -> new SandboxRunner();
      case CHROOT -> new dev.jbuild.runner.chroot.ChrootRunner();
    };
  }
}
