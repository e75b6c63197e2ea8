package dev.jbuild.runner.container;

import dev.jbuild.runner.runc.RuntimeIo;
import java.io.OutputStream;
import java.util.Objects;

/**
 * How an attached container ({@code jbuild run} without {@code -d}) connects to jbuild's streams.
 *
 * @param stdin whether the container reads jbuild's standard input ({@code -i}); otherwise it reads
 *     /dev/null
 * @param output where its standard output and error go
 */
public record Attach(boolean stdin, Output output) {
  public Attach {
    Objects.requireNonNull(output, "output");
  }

  /** Where an attached container's standard output and error go. */
  public sealed interface Output {
    /**
     * jbuild's own stdout and stderr: the runtime writes to them directly (bytes exact; a terminal
     * stays a terminal, as {@code -t} needs).
     */
    record ProcessStdio() implements Output {}

    /** Byte for byte, as it comes, to two streams (flushed after every read). */
    record Streams(OutputStream out, OutputStream err) implements Output {
      public Streams {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
      }
    }
  }

  /** The container's output on jbuild's own stdout and stderr. */
  public static Attach processStdio(boolean stdin) {
    return new Attach(stdin, new Output.ProcessStdio());
  }

  /** The container's output copied to {@code out} and {@code err}. */
  public static Attach streams(boolean stdin, OutputStream out, OutputStream err) {
    return new Attach(stdin, new Output.Streams(out, err));
  }

  /**
   * As {@link #runtimeIo(boolean)}, with the output also written to {@code log} (through pipes, as
   * Docker attaches without -t; the streams are returned in {@code logged} to be finished).
   */
  RuntimeIo runtimeIo(boolean newSession, JsonFileLog log, java.util.List<LoggedStream> logged) {
    RuntimeIo.Stdin in = stdin ? RuntimeIo.Stdin.INHERIT : RuntimeIo.Stdin.NULL;
    OutputStream out =
        switch (output) {
          case Output.ProcessStdio p -> new java.io.FileOutputStream(java.io.FileDescriptor.out);
          case Output.Streams s -> s.out();
        };
    OutputStream err =
        switch (output) {
          case Output.ProcessStdio p -> new java.io.FileOutputStream(java.io.FileDescriptor.err);
          case Output.Streams s -> s.err();
        };
    LoggedStream o = new LoggedStream(out, log, "stdout");
    LoggedStream e = new LoggedStream(err, log, "stderr");
    logged.add(o);
    logged.add(e);
    return new RuntimeIo(in, new RuntimeIo.Output.Streams(o, e), newSession);
  }

  /** The runtime's view of it; {@code newSession} keeps a terminal's Ctrl-C from arriving twice. */
  RuntimeIo runtimeIo(boolean newSession) {
    RuntimeIo.Stdin in = stdin ? RuntimeIo.Stdin.INHERIT : RuntimeIo.Stdin.NULL;
    RuntimeIo.Output out =
        switch (output) {
          case Output.ProcessStdio p -> new RuntimeIo.Output.Inherit();
          case Output.Streams s -> new RuntimeIo.Output.Streams(s.out(), s.err());
        };
    return new RuntimeIo(in, out, newSession);
  }
}
