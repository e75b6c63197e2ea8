package dev.jbuild.layercache.registry.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body as an InputStream whose every read waits at most {@code idle} for data: the JDK's
 * {@code BodyHandlers.ofInputStream()} blocks forever on a peer that stops sending. When the wait
 * runs out the exchange is cancelled (its connection closed) and {@link StalledException} is
 * thrown. One list of buffers is requested at a time, so memory stays bounded.
 */
public final class IdleTimeoutBody implements HttpResponse.BodySubscriber<InputStream> {
  /** No data came for the idle time. */
  public static final class StalledException extends IOException {
    private static final long serialVersionUID = 1L;

    public StalledException(String message) {
      super(message);
    }
  }

  private static final Object END = new Object();

  private record Failure(Throwable cause) {}

  private final Duration idle;
  private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private volatile Flow.Subscription subscription;
  private final Stream stream = new Stream();

  private IdleTimeoutBody(Duration idle) {
    this.idle = idle;
  }

  /** A handler giving bodies that time out after {@code idle} without data. */
  public static HttpResponse.BodyHandler<InputStream> handler(Duration idle) {
    return info -> new IdleTimeoutBody(idle);
  }

  @Override
  public CompletionStage<InputStream> getBody() {
    return CompletableFuture.completedStage(stream);
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (stream.closed) {
      s.cancel();
    } else {
      s.request(1);
    }
  }

  @Override
  public void onNext(List<ByteBuffer> item) {
    queue.add(item);
  }

  @Override
  public void onError(Throwable t) {
    queue.add(new Failure(t));
  }

  @Override
  public void onComplete() {
    queue.add(END);
  }

  private final class Stream extends InputStream {
    private Iterator<ByteBuffer> buffers = List.<ByteBuffer>of().iterator();
    private ByteBuffer current;
    private boolean done;
    private volatile boolean closed;

    /** The next buffer with data, or null at the end. */
    private ByteBuffer buffer() throws IOException {
      while (current == null || !current.hasRemaining()) {
        if (buffers.hasNext()) {
          current = buffers.next();
          continue;
        }
        if (done) {
          return null;
        }
        if (closed) {
          throw new IOException("closed");
        }
        Object item;
        try {
          item = queue.poll(idle.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          cancel();
          throw new java.io.InterruptedIOException("interrupted");
        }
        if (item == null) {
          cancel();
          throw new StalledException(
              "no data for " + dev.jbuild.layercache.registry.Timeouts.describe(idle));
        }
        if (item == END) {
          done = true;
          return null;
        }
        if (item instanceof Failure f) {
          done = true;
          throw f.cause() instanceof IOException io ? io : new IOException(f.cause());
        }
        @SuppressWarnings("unchecked")
        List<ByteBuffer> list = (List<ByteBuffer>) item;
        buffers = list.iterator();
        Flow.Subscription s = subscription;
        if (s != null) {
          s.request(1);
        }
      }
      return current;
    }

    @Override
    public int read() throws IOException {
      ByteBuffer b = buffer();
      return b == null ? -1 : b.get() & 0xff;
    }

    @Override
    public int read(byte[] dst, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, dst.length);
      if (len == 0) {
        return 0;
      }
      ByteBuffer b = buffer();
      if (b == null) {
        return -1;
      }
      int n = Math.min(len, b.remaining());
      b.get(dst, off, n);
      // take what is already there without waiting
      while (n < len && (b = ready()) != null) {
        int m = Math.min(len - n, b.remaining());
        b.get(dst, off + n, m);
        n += m;
      }
      return n;
    }

    private ByteBuffer ready() {
      while (current == null || !current.hasRemaining()) {
        if (!buffers.hasNext()) {
          return null;
        }
        current = buffers.next();
      }
      return current;
    }

    @Override
    public int available() {
      return current == null ? 0 : current.remaining();
    }

    private void cancel() {
      closed = true;
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
    }

    @Override
    public void close() {
      if (!done) {
        cancel();
      }
      closed = true;
      done = true;
    }
  }
}
