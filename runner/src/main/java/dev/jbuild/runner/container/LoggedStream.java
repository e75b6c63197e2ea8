package dev.jbuild.runner.container;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;

/**
 * An attached container's stdout or stderr on its way to jbuild's: every byte passed on as it comes
 * (flushed by the copier after each read), and each line also written to the container's json-file
 * log, as Docker logs an attached container's output (lines over 16 KiB split as in {@link
 * JsonFileLog#copy}).
 */
final class LoggedStream extends OutputStream {
  private final OutputStream target;
  private final JsonFileLog log;
  private final String stream;
  private final byte[] line = new byte[JsonFileLog.MAX_LINE];
  private int pending;

  LoggedStream(OutputStream target, JsonFileLog log, String stream) {
    this.target = target;
    this.log = log;
    this.stream = stream;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) throws IOException {
    target.write(b, off, len);
    Instant now = Instant.now();
    for (int i = off; i < off + len; i++) {
      line[pending++] = b[i];
      if (b[i] == '\n' || pending == line.length) {
        log.write(stream, line, 0, pending, now);
        pending = 0;
      }
    }
  }

  @Override
  public void flush() throws IOException {
    target.flush();
  }

  /** Logs what is left of an unfinished last line; the target stays open (it is jbuild's). */
  synchronized void finish() throws IOException {
    if (pending > 0) {
      log.write(stream, line, 0, pending, Instant.now());
      pending = 0;
    }
    target.flush();
  }
}
