package dev.jbuild.runner.container;

import java.time.Instant;

/**
 * A container and where it stands.
 *
 * @param exitCode when {@link Status#EXITED}
 * @param finished when {@link Status#EXITED}: when it exited
 */
public record ContainerState(
    ContainerRecord record, Status status, int exitCode, Instant finished) {
  /** The life of a container. */
  public enum Status {
    /** Its process runs (or its monitor is starting it). */
    RUNNING,
    /** It exited; the exit code is known. */
    EXITED,
    /** Whatever watched it is gone without recording an exit (killed jbuild, reboot). */
    DEAD
  }

  public boolean isRunning() {
    return status == Status.RUNNING;
  }
}
