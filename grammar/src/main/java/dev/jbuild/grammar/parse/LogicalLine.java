package dev.jbuild.grammar.parse;

/**
 * One instruction's text with continuation lines joined (escape character and line ending removed,
 * comment and blank lines inside the continuation skipped), and the map from offsets in that text
 * back to physical line and column.
 */
final class LogicalLine {
  final String text;
  final int endLine;
  private final int[] segOffset;
  private final int[] segLine;
  private final int[] segColumn;

  LogicalLine(String text, int endLine, int[] segOffset, int[] segLine, int[] segColumn) {
    this.text = text;
    this.endLine = endLine;
    this.segOffset = segOffset;
    this.segLine = segLine;
    this.segColumn = segColumn;
  }

  /** The same line ending at another physical line (after heredoc bodies). */
  LogicalLine withEndLine(int line) {
    return new LogicalLine(text, line, segOffset, segLine, segColumn);
  }

  int startLine() {
    return segLine[0];
  }

  /** Physical line of the character at {@code offset}. */
  int lineOf(int offset) {
    return segLine[segment(offset)];
  }

  /** 1-based physical column of the character at {@code offset}. */
  int columnOf(int offset) {
    int s = segment(offset);
    return segColumn[s] + offset - segOffset[s];
  }

  private int segment(int offset) {
    int s = 0;
    for (int i = 1; i < segOffset.length; i++) {
      if (segOffset[i] <= offset) {
        s = i;
      } else {
        break;
      }
    }
    return s;
  }

  /** Collects the segments of a logical line. */
  static final class Builder {
    private final StringBuilder text = new StringBuilder();
    private int[] offset = new int[4];
    private int[] line = new int[4];
    private int[] column = new int[4];
    private int n;
    private int endLine;

    void add(String segment, int physicalLine, int physicalColumn) {
      if (n == offset.length) {
        offset = java.util.Arrays.copyOf(offset, n * 2);
        line = java.util.Arrays.copyOf(line, n * 2);
        column = java.util.Arrays.copyOf(column, n * 2);
      }
      offset[n] = text.length();
      line[n] = physicalLine;
      column[n] = physicalColumn;
      n++;
      text.append(segment);
      endLine = physicalLine;
    }

    void skipped(int physicalLine) {
      endLine = physicalLine;
    }

    LogicalLine build() {
      return new LogicalLine(
          text.toString(),
          endLine,
          java.util.Arrays.copyOf(offset, n),
          java.util.Arrays.copyOf(line, n),
          java.util.Arrays.copyOf(column, n));
    }
  }
}
