package dev.jbuild.builder;

import java.util.List;

/**
 * The build stopped at a step: which one, where it is in the Dockerfile, why, and what it printed
 * last. The CLI shows it with the Dockerfile lines around the step.
 */
public final class BuildFailure extends Exception {
  private static final long serialVersionUID = 1L;
  private final String step;
  private final int line;
  private final int endLine;
  private final transient List<String> lastLines;

  /**
   * @param step the step as the progress display names it ({@code [3/5] RUN make})
   * @param line its first Dockerfile line (1-based; 0 when it has none, e.g. an ONBUILD trigger)
   * @param endLine its last Dockerfile line
   */
  public BuildFailure(
      String step, int line, int endLine, String message, List<String> lastLines, Throwable cause) {
    super(message, cause);
    this.step = step;
    this.line = line;
    this.endLine = endLine;
    this.lastLines = List.copyOf(lastLines);
  }

  public String step() {
    return step;
  }

  public int line() {
    return line;
  }

  public int endLine() {
    return endLine;
  }

  public List<String> lastLines() {
    return lastLines;
  }
}
