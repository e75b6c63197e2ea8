package dev.jbuild.runner.runc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Copies a process stream to an output stream as bytes arrive, flushing after each read. */
final class StreamCopier implements Runnable {
  private final InputStream in;
  private final OutputStream out;
  private final boolean stderr;

  StreamCopier(InputStream in, OutputStream out, boolean stderr) {
    this.in = in;
    this.out = out;
    this.stderr = stderr;
  }

  @Override
  public void run() {
    byte[] buf = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buf)) > 0) {
        if (stderr && RuntimeMessages.isRuntimeFailure(buf, n)) {
          continue; // the runtime's own error (one write as it exits): reported from its log
        }
        synchronized (out) {
          out.write(buf, 0, n);
          out.flush();
        }
      }
    } catch (IOException e) {
      // the process or the reader went away
    }
  }
}
