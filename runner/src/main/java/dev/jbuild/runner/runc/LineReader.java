package dev.jbuild.runner.runc;

import dev.jbuild.runner.OutputSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Splits a process stream into lines for an {@link OutputSink}, with bounded memory. */
public final class LineReader implements Runnable {
  private final InputStream in;
  private final OutputSink.Stream stream;
  private final OutputSink sink;

  public LineReader(InputStream in, OutputSink.Stream stream, OutputSink sink) {
    this.in = in;
    this.stream = stream;
    this.sink = sink;
  }

  @Override
  public void run() {
    byte[] buf = new byte[8192];
    byte[] line = new byte[1024];
    int len = 0;
    try (in) {
      int n;
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          byte b = buf[i];
          if (b == '\n') {
            emit(line, len);
            len = 0;
            continue;
          }
          if (len == line.length) {
            if (len >= OutputSink.MAX_LINE) {
              emit(line, len);
              len = 0;
            } else {
              line = java.util.Arrays.copyOf(line, Math.min(len * 2, OutputSink.MAX_LINE));
            }
          }
          line[len++] = b;
        }
      }
    } catch (IOException e) {
      // the process went away; what was read is delivered below
    }
    if (len > 0) {
      emit(line, len);
    }
  }

  private void emit(byte[] line, int len) {
    int end = len > 0 && line[len - 1] == '\r' ? len - 1 : len;
    String text = new String(line, 0, end, StandardCharsets.UTF_8);
    if (stream == OutputSink.Stream.STDERR && RuntimeMessages.isRuntimeFailure(text)) {
      return; // the runtime's own error: reported from its log instead
    }
    sink.line(stream, text);
  }
}
