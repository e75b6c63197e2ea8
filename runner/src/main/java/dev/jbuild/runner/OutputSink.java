package dev.jbuild.runner;

/**
 * Receives a run's output line by line, as it is produced. Called from reader threads (one per
 * stream), so implementations must be thread-safe. Lines have no line terminator; a line longer
 * than {@link #MAX_LINE} bytes arrives in pieces.
 */
@FunctionalInterface
public interface OutputSink {
  int MAX_LINE = 64 * 1024;

  /** Which stream a line came from. */
  enum Stream {
    STDOUT,
    STDERR
  }

  void line(Stream stream, String line);

  /** A sink that drops everything. */
  static OutputSink discard() {
    return (stream, line) -> {};
  }
}
