package dev.jbuild.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * What a client-mode client sends after its uploads, read on a thread of its own so that the daemon
 * notices a client that goes away while its command runs: the client's stdin frames go into a small
 * queue the command reads as its stdin; after their end mark the client sends nothing more, so the
 * end of the connection, a reset or any further byte means the client is gone (killed, Ctrl-C) and
 * the watch runs its action (interrupting the command's thread, as docker cancels the work of a
 * client that disconnected).
 *
 * <p>The reader starts when the uploads were read to their end mark ({@link #afterUploads}); a
 * command that does not read a stdin the client sends delays the watch until the queue has room.
 */
final class ClientInput {
  private static final Object END = new Object();

  private final InputStream in;
  private final HttpConnection.DisconnectWatch watch;
  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(8);
  private boolean started;
  private volatile IOException failure;

  ClientInput(InputStream in, Runnable onGone) {
    this.in = in;
    this.watch = new HttpConnection.DisconnectWatch(onGone);
  }

  /** The watch: closed when the command ended, it tells whether the client went away. */
  HttpConnection.DisconnectWatch watch() {
    return watch;
  }

  /** The uploads stream, which starts the reader once it was read to its end mark. */
  InputStream afterUploads(InputStream uploads) {
    return new java.io.FilterInputStream(uploads) {
      @Override
      public void close() throws IOException {
        super.close(); // reads to the end mark
        start();
      }
    };
  }

  private synchronized void start() {
    if (started) {
      return;
    }
    started = true;
    Thread.ofVirtual().name("jbuild-serve-client-input").start(this::pump);
  }

  private void pump() {
    try {
      InputStream frames = CliProtocol.stream(in, StdStreams.STDIN, Long.MAX_VALUE);
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = frames.read(buf)) >= 0) {
        queue.put(java.util.Arrays.copyOf(buf, n));
      }
      queue.put(END);
      in.read(); // nothing is due: whatever comes, the client is gone or broke the protocol
      watch.gone();
    } catch (IOException e) {
      failure = e;
      queue.offer(e);
      watch.gone();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The client's stdin, as the command reads it. */
  InputStream stdin() {
    return new InputStream() {
      private byte[] buf = new byte[0];
      private int pos;
      private boolean done;

      private boolean fill() throws IOException {
        while (!done && pos == buf.length) {
          Object next;
          try {
            next = queue.poll(1, java.util.concurrent.TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while reading the client's stdin");
          }
          if (next == null) {
            next = failure; // a failure the full queue could not take
            if (next == null) {
              continue;
            }
          }
          if (next == END) {
            done = true;
          } else if (next instanceof IOException e) {
            queue.offer(e);
            throw new IOException("the client's stdin: " + e.getMessage(), e);
          } else {
            buf = (byte[]) next;
            pos = 0;
          }
        }
        return pos < buf.length;
      }

      @Override
      public int read() throws IOException {
        return fill() ? buf[pos++] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        if (!fill()) {
          return -1;
        }
        int n = Math.min(len, buf.length - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
      }
    };
  }
}
