package dev.jbuild.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bytes of a container's output to a picocli writer: decoded as UTF-8 (a sequence split between two
 * writes is kept until it is complete), flushed after every write so output streams.
 */
final class WriterOutputStream extends OutputStream {
  private final PrintWriter out;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE);
  private final ByteBuffer pending = ByteBuffer.allocate(16);
  private final CharBuffer chars = CharBuffer.allocate(8192);

  WriterOutputStream(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    ByteBuffer in;
    if (pending.position() > 0) {
      ByteBuffer joined = ByteBuffer.allocate(pending.position() + len);
      joined.put(pending.flip()).put(b, off, len).flip();
      pending.clear();
      in = joined;
    } else {
      in = ByteBuffer.wrap(b, off, len);
    }
    CoderResult r;
    do {
      r = decoder.decode(in, chars, false);
      out.write(chars.array(), 0, chars.position());
      chars.clear();
    } while (r.isOverflow());
    // underflow: what is left is the start of a sequence the next write completes
    pending.put(in);
    out.flush();
  }

  @Override
  public synchronized void flush() {
    out.flush();
  }
}
