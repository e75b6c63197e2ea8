package dev.jbuild.builder.errors;

import java.util.List;

/**
 * A step that ran and failed (a RUN that exited non-zero, a COPY whose source is missing): the
 * build stops and the user sees the step's Dockerfile line, its command and its last output lines.
 */
public final class StepFailure extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient List<String> lastLines;
  private final int exitCode;

  public StepFailure(String message, List<String> lastLines, int exitCode) {
    super(message);
    this.lastLines = List.copyOf(lastLines);
    this.exitCode = exitCode;
  }

  public StepFailure(String message) {
    this(message, List.of(), 0);
  }

  public StepFailure(String message, Throwable cause) {
    super(message, cause);
    this.lastLines = List.of();
    this.exitCode = 0;
  }

  /** The last output lines of the step, oldest first (empty for steps without output). */
  public List<String> lastLines() {
    return lastLines;
  }

  /** The command's exit code for a failed RUN, else 0. */
  public int exitCode() {
    return exitCode;
  }
}
