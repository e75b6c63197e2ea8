package dev.jbuild.serve;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP/1.1 body framings the server reads and writes: a body of a known length, a chunked body
 * (docker's CLI sends the build context chunked) and a chunked answer (progress streams, logs,
 * archives). None of them closes the connection's streams: the connection is kept alive.
 */
final class HttpBodies {
  private HttpBodies() {}

  /** The longest chunk-size line accepted (hex digits and chunk extensions). */
  private static final int MAX_CHUNK_LINE = 4096;

  /** Exactly {@code length} bytes of {@code in}; a shorter stream is an EOFException. */
  static InputStream fixed(InputStream in, long length) {
    return new InputStream() {
      private long left = length;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
          return -1;
        }
        if (len == 0) {
          return 0;
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n < 0) {
          throw new EOFException("request body ended " + left + " bytes early");
        }
        left -= n;
        return n;
      }

      @Override
      public int available() throws IOException {
        return (int) Math.min(in.available(), left);
      }

      @Override
      public void close() {
        // the connection's stream stays open; the server drains what is left
      }
    };
  }

  /** A chunked body: chunk sizes in hex, trailers skipped. */
  static InputStream chunked(InputStream in) {
    return new InputStream() {
      private long left; // bytes left in the current chunk
      private boolean done;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (done) {
          return -1;
        }
        if (len == 0) {
          return 0;
        }
        if (left == 0) {
          left = nextChunkSize();
          if (left == 0) {
            skipTrailers();
            done = true;
            return -1;
          }
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n < 0) {
          throw new EOFException("chunked request body ended in a chunk");
        }
        left -= n;
        if (left == 0) {
          expectCrlf();
        }
        return n;
      }

      private long nextChunkSize() throws IOException {
        String line = line(in);
        int semi = line.indexOf(';');
        String hex = (semi < 0 ? line : line.substring(0, semi)).trim();
        if (hex.isEmpty() || hex.length() > 15) {
          throw new IOException("bad chunk size \"" + hex + "\"");
        }
        try {
          return Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size \"" + hex + "\"");
        }
      }

      private void expectCrlf() throws IOException {
        if (!line(in).isEmpty()) {
          throw new IOException("chunk not followed by CRLF");
        }
      }

      private void skipTrailers() throws IOException {
        for (int i = 0; i < 100; i++) {
          if (line(in).isEmpty()) {
            return;
          }
        }
        throw new IOException("too many chunked trailers");
      }

      @Override
      public void close() {
        // the connection's stream stays open; the server drains what is left
      }
    };
  }

  /** One CRLF- (or LF-) terminated line of at most {@link #MAX_CHUNK_LINE} bytes, without it. */
  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("chunked request body ended early");
      }
      if (c == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      if (sb.length() >= MAX_CHUNK_LINE) {
        throw new IOException("chunk size line too long");
      }
      sb.append((char) c);
    }
  }

  /**
   * A chunked answer: writes are buffered up to {@code bufferSize} and sent as one chunk on {@link
   * #flush} or when the buffer is full; {@link #close} sends the last chunk (the connection stays).
   */
  static final class ChunkedOutput extends OutputStream {
    private static final byte[] CRLF = {'\r', '\n'};
    private final OutputStream out;
    private final byte[] buf;
    private int count;
    private boolean closed;

    ChunkedOutput(OutputStream out, int bufferSize) {
      this.out = out;
      this.buf = new byte[bufferSize];
    }

    @Override
    public synchronized void write(int b) throws IOException {
      ensureOpen();
      if (count == buf.length) {
        sendChunk();
      }
      buf[count++] = (byte) b;
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
      ensureOpen();
      while (len > 0) {
        if (count == buf.length) {
          sendChunk();
        }
        int n = Math.min(len, buf.length - count);
        System.arraycopy(b, off, buf, count, n);
        count += n;
        off += n;
        len -= n;
      }
    }

    @Override
    public synchronized void flush() throws IOException {
      if (closed) {
        return;
      }
      sendChunk();
      out.flush();
    }

    private void sendChunk() throws IOException {
      if (count == 0) {
        return;
      }
      out.write(Integer.toHexString(count).getBytes(StandardCharsets.US_ASCII));
      out.write(CRLF);
      out.write(buf, 0, count);
      out.write(CRLF);
      count = 0;
    }

    private void ensureOpen() throws IOException {
      if (closed) {
        throw new IOException("the answer is closed");
      }
    }

    synchronized boolean isClosed() {
      return closed;
    }

    @Override
    public synchronized void close() throws IOException {
      if (closed) {
        return;
      }
      sendChunk();
      closed = true;
      out.write(new byte[] {'0', '\r', '\n', '\r', '\n'});
      out.flush();
    }
  }
}
