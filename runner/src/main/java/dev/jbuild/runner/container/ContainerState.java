package dev.jbuild.runner.container;

import java.time.Instant;

/**
 * A container and where it stands.
 *
 * @param exitCode when {@link Status#EXITED}
 * @param finished when {@link Status#EXITED}: when it exited
 * @param run its current or last run (null: never started)
 */
public record ContainerState(
    ContainerRecord record, Status status, int exitCode, Instant finished, RunState run) {
  /** The life of a container. */
  public enum Status {
    /** Made by {@code jbuild create}, never started. */
    CREATED,
    /** Its processes are frozen ({@code jbuild pause}). */
    PAUSED,
    /** It exited and its restart policy will start it again. */
    RESTARTING,
    /** Its process runs (or its monitor is starting it). */
    RUNNING,
    /** It exited; the exit code is known. */
    EXITED,
    /** Whatever watched it is gone without recording an exit (killed jbuild, reboot). */
    DEAD
  }

  /** Running, paused or waiting to restart: its monitor is alive. */
  public boolean isRunning() {
    return status == Status.RUNNING || status == Status.PAUSED || status == Status.RESTARTING;
  }
}
