package dev.jbuild.layercache.registry.http;

import dev.jbuild.layercache.model.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * An OutputStream whose bytes become the body of a chunked HTTP request: written chunks go through
 * a small bounded queue (back-pressure: the writer blocks while the network is slower) to a {@link
 * Flow.Publisher} that the JDK client subscribes to. Hashes and counts what passes.
 */
final class PublishingOutputStream extends OutputStream {
  private static final Object END = new Object();

  private final int chunkSize;
  private final LongConsumer progress;
  private final ArrayBlockingQueue<Object> queue = new ArrayBlockingQueue<>(8);
  private final MessageDigest sha256 = Digest.newSha256();
  private final AtomicLong demand = new AtomicLong();
  private final AtomicInteger wip = new AtomicInteger();
  private volatile Flow.Subscriber<? super ByteBuffer> subscriber;
  private volatile boolean cancelled;
  private volatile boolean done;
  private volatile BooleanSupplier abortCheck = () -> false;
  private byte[] chunk;
  private int fill;
  private long size;
  private boolean closed;

  private final boolean hash;

  PublishingOutputStream(int chunkSize, boolean hash, LongConsumer progress) {
    this.hash = hash;
    this.chunkSize = chunkSize;
    this.progress = progress;
    this.chunk = new byte[chunkSize];
  }

  /** Stop blocking the writer when this says the request has failed. */
  void abortWhen(BooleanSupplier check) {
    this.abortCheck = check;
  }

  Flow.Publisher<ByteBuffer> publisher() {
    return s -> {
      if (subscriber != null) {
        s.onSubscribe(
            new Flow.Subscription() {
              @Override
              public void request(long n) {}

              @Override
              public void cancel() {}
            });
        s.onError(new IllegalStateException("a streamed body can be sent only once"));
        return;
      }
      subscriber = s;
      s.onSubscribe(
          new Flow.Subscription() {
            @Override
            public void request(long n) {
              if (n > 0) {
                demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
                drain();
              }
            }

            @Override
            public void cancel() {
              cancelled = true;
              queue.clear();
            }
          });
      drain();
    };
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    if (hash) {
      sha256.update(b, off, len);
    }
    size += len;
    while (len > 0) {
      int n = Math.min(len, chunkSize - fill);
      System.arraycopy(b, off, chunk, fill, n);
      fill += n;
      off += n;
      len -= n;
      if (fill == chunkSize) {
        emit();
      }
    }
  }

  private void emit() throws IOException {
    if (fill == 0) {
      return;
    }
    int n = fill;
    offer(ByteBuffer.wrap(chunk, 0, n));
    progress.accept(n);
    chunk = new byte[chunkSize];
    fill = 0;
  }

  private void offer(Object item) throws IOException {
    try {
      while (!queue.offer(item, 50, TimeUnit.MILLISECONDS)) {
        if (cancelled || abortCheck.getAsBoolean()) {
          throw new IOException("the upload stopped");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (cancelled) {
      throw new IOException("the upload stopped");
    }
    drain();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    emit();
    closed = true;
    offer(END);
  }

  /** Fails the request body (the writer failed). */
  void abort(Throwable cause) {
    closed = true;
    queue.clear();
    queue.offer(cause);
    drain();
  }

  Digest digest() {
    return Digest.of(Digest.SHA256, sha256.digest());
  }

  long size() {
    return size;
  }

  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    int missed = 1;
    do {
      Flow.Subscriber<? super ByteBuffer> s = subscriber;
      if (s != null && !done) {
        while (!cancelled) {
          Object head = queue.peek();
          if (head == null) {
            break;
          }
          if (head == END) {
            queue.poll();
            done = true;
            s.onComplete();
            break;
          }
          if (head instanceof Throwable t) {
            queue.poll();
            done = true;
            s.onError(t);
            break;
          }
          if (demand.get() == 0) {
            break;
          }
          queue.poll();
          demand.decrementAndGet();
          s.onNext((ByteBuffer) head);
        }
      }
      missed = wip.addAndGet(-missed);
    } while (missed != 0);
  }
}
