package dev.jbuild.serve;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Docker's stream multiplexing for attach, logs and exec of a container without a TTY: every write
 * becomes a frame of an 8-byte header (stream type 0 stdin, 1 stdout, 2 stderr, three zero bytes,
 * the payload length as a big-endian 32-bit number) and the payload. With a TTY docker sends the
 * raw bytes instead; use the connection's stream directly then.
 */
public final class StdStreams {
  private StdStreams() {}

  public static final int STDIN = 0;
  public static final int STDOUT = 1;
  public static final int STDERR = 2;

  /** A stream that frames what is written to it as {@code type}; writes are atomic per frame. */
  public static OutputStream framed(OutputStream raw, int type) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return;
        }
        byte[] header = {
          (byte) type,
          0,
          0,
          0,
          (byte) (len >>> 24),
          (byte) (len >>> 16),
          (byte) (len >>> 8),
          (byte) len
        };
        synchronized (raw) {
          raw.write(header);
          raw.write(b, off, len);
          raw.flush();
        }
      }

      @Override
      public void flush() throws IOException {
        synchronized (raw) {
          raw.flush();
        }
      }

      @Override
      public void close() throws IOException {
        flush();
      }
    };
  }
}
