package dev.jbuild.runner.runc;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Copies a process stream to an output stream as bytes arrive, flushing after each read. */
final class StreamCopier implements Runnable {
  private final InputStream in;
  private final OutputStream out;

  StreamCopier(InputStream in, OutputStream out) {
    this.in = in;
    this.out = out;
  }

  @Override
  public void run() {
    byte[] buf = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buf)) > 0) {
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
