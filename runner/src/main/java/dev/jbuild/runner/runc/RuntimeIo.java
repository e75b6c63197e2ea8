package dev.jbuild.runner.runc;

import dev.jbuild.runner.OutputSink;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Where a container's standard streams go. With {@code newSession} the runtime runs in its own
 * session, so a terminal's Ctrl-C reaches the container only through jbuild's forwarding.
 */
public record RuntimeIo(Stdin stdin, Output output, boolean newSession) {
  /** The container's standard input. */
  public enum Stdin {
    /** /dev/null (a RUN step, or `jbuild run` without -i). */
    NULL,
    /** jbuild's own standard input. */
    INHERIT
  }

  /** The container's standard output and error. */
  public sealed interface Output {
    /** Line by line to a sink (RUN steps). */
    record Lines(OutputSink sink) implements Output {}

    /** Byte for byte, as it comes, to two streams (flushed after every read). */
    record Streams(OutputStream out, OutputStream err) implements Output {}

    /** jbuild's own stdout and stderr (the runtime writes to them directly). */
    record Inherit() implements Output {}

    /** Both appended to a file (detached containers). */
    record LogFile(Path file) implements Output {}
  }

  public static RuntimeIo lines(OutputSink sink) {
    return new RuntimeIo(Stdin.NULL, new Output.Lines(sink), false);
  }
}
