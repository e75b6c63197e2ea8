package dev.jbuild.layercache.fuzz;

import java.io.OutputStream;

/** Discards what is written. */
final class OutputSink extends OutputStream {
  static final OutputSink INSTANCE = new OutputSink();

  @Override
  public void write(int b) {}

  @Override
  public void write(byte[] b, int off, int len) {}
}
