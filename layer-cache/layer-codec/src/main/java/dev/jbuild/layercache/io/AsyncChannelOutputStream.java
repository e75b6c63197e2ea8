package dev.jbuild.layercache.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A buffered OutputStream over a FileChannel whose large writes happen on a background thread, so
 * the caller (hashing a layer) and the kernel (copying it into the page cache) use two cores at
 * once. Small streams (manifests, configs, small layers) stay synchronous with one 64 KiB buffer:
 * the thread and the large buffers only appear once a stream outgrows it. {@link #flush()} returns
 * when every byte is in the channel; a write error surfaces on the next call. Not thread-safe (one
 * producer).
 */
public final class AsyncChannelOutputStream extends OutputStream {
  private static final ByteBuffer STOP = ByteBuffer.allocate(0);

  private static final int SMALL = 64 * 1024;

  private final FileChannel channel;
  private final int bufferSize;
  private final int spare;
  private final BlockingQueue<ByteBuffer> free;
  private final BlockingQueue<ByteBuffer> full;
  private ByteBuffer current;
  private Thread writer;
  private volatile IOException failure;
  private boolean closed;

  public AsyncChannelOutputStream(FileChannel channel, int bufferSize, int buffers) {
    this.channel = channel;
    this.bufferSize = bufferSize;
    this.spare = buffers - 1;
    this.free = new ArrayBlockingQueue<>(buffers);
    this.full = new ArrayBlockingQueue<>(buffers + 1);
    this.current = ByteBuffer.allocate(Math.min(SMALL, bufferSize));
  }

  @Override
  public void write(int b) throws IOException {
    if (!current.hasRemaining()) {
      handOff();
    }
    current.put((byte) b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    check();
    while (len > 0) {
      if (!current.hasRemaining()) {
        handOff();
      }
      int n = Math.min(len, current.remaining());
      current.put(b, off, n);
      off += n;
      len -= n;
    }
  }

  private void handOff() throws IOException {
    check();
    current.flip();
    if (writer == null) {
      // outgrew the small buffer: write it here, then switch to large buffers and the thread
      writeNow(current);
      current = ByteBuffer.allocate(bufferSize);
      for (int i = 0; i < spare; i++) {
        free.add(ByteBuffer.allocate(bufferSize));
      }
      writer = Thread.ofPlatform().daemon().name("jbuild-blob-writer").start(this::drainLoop);
      return;
    }
    full.add(current);
    current = take(free);
    current.clear();
  }

  private void drainLoop() {
    while (true) {
      ByteBuffer b;
      try {
        b = full.take();
      } catch (InterruptedException e) {
        return;
      }
      if (b == STOP) {
        return;
      }
      try {
        if (failure == null) {
          while (b.hasRemaining()) {
            channel.write(b);
          }
        }
      } catch (IOException e) {
        failure = e;
      } catch (RuntimeException e) {
        failure = new IOException("cannot write the blob: " + e, e);
      } finally {
        free.add(b);
      }
    }
  }

  private static ByteBuffer take(BlockingQueue<ByteBuffer> q) throws IOException {
    try {
      return q.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing a blob");
    }
  }

  private void check() throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
    IOException f = failure;
    if (f != null) {
      throw new IOException(f.getMessage(), f);
    }
  }

  /** Writes what is buffered and waits until the background thread has written everything. */
  @Override
  public void flush() throws IOException {
    check();
    if (writer != null) {
      // every spare buffer back in the free queue means nothing is in flight
      java.util.List<ByteBuffer> held = new java.util.ArrayList<>();
      while (held.size() < spare) {
        held.add(take(free));
      }
      free.addAll(held);
      check();
    }
    current.flip();
    writeNow(current);
    current.clear();
  }

  private void writeNow(ByteBuffer b) throws IOException {
    try {
      while (b.hasRemaining()) {
        channel.write(b);
      }
    } catch (RuntimeException e) {
      throw new IOException("cannot write the blob: " + e, e);
    }
  }

  /** Flushes, then stops the background thread (it does not close the channel). */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      flush();
    } finally {
      abort();
    }
  }

  /** Stops the background thread without writing what is buffered (a discarded blob). */
  public void abort() {
    if (closed) {
      return;
    }
    closed = true;
    if (writer != null) {
      full.add(STOP);
      try {
        writer.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
