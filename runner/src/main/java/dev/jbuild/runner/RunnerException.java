package dev.jbuild.runner;

import java.io.IOException;

/**
 * A run could not happen or failed outside the command itself: unknown user, missing runtime, a
 * mount that failed. The message is one line a person can act on; {@link RunnerErrors} makes them.
 */
public class RunnerException extends IOException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public RunnerException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  public RunnerException(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /**
   * The exit status Docker reports for this failure: 125 when the container could not be created,
   * 126 when the command cannot be executed, 127 when it was not found.
   */
  public int exitCode() {
    return exitCode;
  }
}
