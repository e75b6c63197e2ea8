package dev.jbuild.layercache.json;

/** A JSON document is malformed; the message names the line and column. */
public final class JsonParseException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final int line;
  private final int column;
  private final int offset;

  public JsonParseException(String reason, int line, int column, int offset) {
    super("invalid JSON at line " + line + ", column " + column + ": " + reason);
    this.line = line;
    this.column = column;
    this.offset = offset;
  }

  /** 1-based line. */
  public int line() {
    return line;
  }

  /** 1-based column (in characters). */
  public int column() {
    return column;
  }

  /** 0-based character offset. */
  public int offset() {
    return offset;
  }
}
