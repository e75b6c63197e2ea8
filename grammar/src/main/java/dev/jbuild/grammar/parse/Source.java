package dev.jbuild.grammar.parse;

import dev.jbuild.grammar.DockerfileException;

/**
 * The physical lines of a Dockerfile: a BOM on the first line is dropped, a line's text excludes
 * its trailing CR/LF characters (BuildKit trimNewline), and the line with its ending stays
 * available for heredoc bodies.
 */
final class Source {
  final String file;
  private final String text;
  private final int[] starts; // start offset of each line, plus text.length() at the end
  private final int count;

  Source(String file, String text) {
    this.file = file;
    String t = text.startsWith("\uFEFF") ? text.substring(1) : text;
    this.text = t;
    int n = 1;
    for (int i = 0; i < t.length(); i++) {
      if (t.charAt(i) == '\n' && i + 1 < t.length()) {
        n++;
      }
    }
    if (t.isEmpty()) {
      n = 0;
    }
    starts = new int[n + 1];
    int k = 0;
    if (n > 0) {
      starts[k++] = 0;
      for (int i = 0; i < t.length(); i++) {
        if (t.charAt(i) == '\n' && i + 1 < t.length()) {
          starts[k++] = i + 1;
        }
      }
    }
    starts[n] = t.length();
    count = n;
  }

  int lineCount() {
    return count;
  }

  /** Line {@code index} (0-based) with its line ending. */
  String rawLine(int index) {
    return text.substring(starts[index], starts[index + 1]);
  }

  /** Line {@code index} (0-based) without trailing CR and LF characters. */
  String line(int index) {
    int s = starts[index];
    int e = starts[index + 1];
    while (e > s && (text.charAt(e - 1) == '\n' || text.charAt(e - 1) == '\r')) {
      e--;
    }
    return text.substring(s, e);
  }

  /** The text of 1-based line {@code number}, or "" past the end. */
  String lineText(int number) {
    return number >= 1 && number <= count ? line(number - 1) : "";
  }

  DockerfileException error(int line, int column, String reason) {
    return new DockerfileException(file, line, column, reason, lineText(line));
  }

  DockerfileException error(int line, int column, String reason, Throwable cause) {
    return new DockerfileException(file, line, column, reason, lineText(line), cause);
  }
}
