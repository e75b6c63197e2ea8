package dev.jbuild.grammar;

/**
 * Where an instruction (or a part of one) sits in its Dockerfile: 1-based lines and columns, the
 * end inclusive (the last character of the last physical line, heredoc terminator included).
 */
public record SourceRange(String file, int startLine, int startColumn, int endLine, int endColumn) {
  public SourceRange {
    if (file == null) {
      throw new IllegalArgumentException("file must not be null");
    }
    if (startLine < 1 || startColumn < 1 || endLine < startLine) {
      throw new IllegalArgumentException(
          "bad range " + startLine + ":" + startColumn + "-" + endLine + ":" + endColumn);
    }
  }

  /** A range covering one position. */
  public static SourceRange at(String file, int line, int column) {
    return new SourceRange(file, line, column, line, column);
  }

  /** {@code file:line:col} of the start, the prefix of every diagnostic. */
  public String location() {
    return file + ":" + startLine + ":" + startColumn;
  }

  /** The same range starting at another position (for errors pointing inside an instruction). */
  public SourceRange withStart(int line, int column) {
    return new SourceRange(file, line, column, Math.max(line, endLine), endColumn);
  }

  @Override
  public String toString() {
    return file + ":" + startLine + ":" + startColumn + "-" + endLine + ":" + endColumn;
  }
}
