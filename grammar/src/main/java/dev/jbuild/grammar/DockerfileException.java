package dev.jbuild.grammar;

/**
 * An invalid Dockerfile: the message names {@code file:line:col}; {@link #render()} adds the source
 * line and a caret under the column. Messages come from {@link Messages}.
 */
public final class DockerfileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line;
  private final int column;
  private final String reason;
  private final String sourceLine;

  public DockerfileException(
      String file, int line, int column, String reason, String sourceLine, Throwable cause) {
    super(file + ":" + line + ":" + column + ": " + reason, cause);
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
    this.sourceLine = sourceLine == null ? "" : sourceLine;
  }

  public DockerfileException(String file, int line, int column, String reason, String sourceLine) {
    this(file, line, column, reason, sourceLine, null);
  }

  /** An error at the start of {@code range}; {@code sourceLine} is the text shown under it. */
  public static DockerfileException at(SourceRange range, String reason, String sourceLine) {
    return new DockerfileException(
        range.file(), range.startLine(), range.startColumn(), reason, sourceLine);
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  /** The message without the location prefix. */
  public String reason() {
    return reason;
  }

  /** The physical source line the error points into (may be empty when unknown). */
  public String sourceLine() {
    return sourceLine;
  }

  /**
   * The message, the source line and a caret under the column:
   *
   * <pre>
   * Dockerfile:3:1: COPY requires at least two arguments, ...
   *     3 | COPY onlyone
   *       | ^
   * </pre>
   */
  public String render() {
    StringBuilder sb = new StringBuilder(getMessage());
    if (!sourceLine.isEmpty()) {
      String gutter = String.format("%5d | ", line);
      sb.append('\n').append(gutter).append(sourceLine.replace('\t', ' '));
      sb.append('\n').append(" ".repeat(gutter.length() - 2)).append("| ");
      int caret = Math.max(0, Math.min(column - 1, sourceLine.length()));
      sb.append(" ".repeat(caret)).append('^');
    }
    return sb.toString();
  }
}
