package dev.jbuild.serve;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UNIX socket in front of a daemon's that forwards both ways and counts the bytes clients send:
 * what a test asserts when it says "the client did not send the context again".
 */
final class CountingProxy implements AutoCloseable {
  private final ServerSocketChannel server;
  private final Path socket;
  private final AtomicLong upstream = new AtomicLong();
  private final Thread acceptor;

  CountingProxy(Path socket, Path daemonSocket) throws IOException {
    this.socket = socket;
    Files.deleteIfExists(socket);
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    acceptor =
        Thread.ofVirtual()
            .start(
                () -> {
                  while (server.isOpen()) {
                    try {
                      SocketChannel client = server.accept();
                      SocketChannel daemon = SocketChannel.open(StandardProtocolFamily.UNIX);
                      daemon.connect(UnixDomainSocketAddress.of(daemonSocket));
                      Thread.ofVirtual().start(() -> pump(client, daemon, upstream));
                      Thread.ofVirtual().start(() -> pump(daemon, client, null));
                    } catch (IOException e) {
                      return; // closed
                    }
                  }
                });
  }

  private static void pump(SocketChannel from, SocketChannel to, AtomicLong count) {
    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    try (from;
        to) {
      while (from.read(buf) >= 0) {
        buf.flip();
        if (count != null) {
          count.addAndGet(buf.remaining());
        }
        while (buf.hasRemaining()) {
          to.write(buf);
        }
        buf.clear();
      }
    } catch (IOException e) {
      // one side closed
    }
  }

  String host() {
    return "unix://" + socket;
  }

  /** The bytes clients sent so far, and the count set back to zero. */
  long takeUpstream() {
    return upstream.getAndSet(0);
  }

  @Override
  public void close() throws IOException {
    server.close();
    acceptor.interrupt();
    Files.deleteIfExists(socket);
  }
}
