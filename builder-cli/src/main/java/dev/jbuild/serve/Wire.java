package dev.jbuild.serve;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLSocket;

/**
 * One accepted connection's bytes, whatever carries them (a UNIX socket channel, a TLS or loopback
 * TCP socket): a reader and a writer that may run at once on two threads (a hijacked attach), a
 * half-close, and who the peer is.
 */
abstract class Wire implements Closeable {
  abstract InputStream in();

  abstract OutputStream out();

  /** Sends end-of-stream to the peer, which may still send. */
  abstract void shutdownOutput() throws IOException;

  /** The peer, for the request log: called once, after {@link #open}. */
  abstract ApiCall.Client client();

  /** Work to do before the first request (the TLS handshake); may block the connection's thread. */
  void open() throws IOException {}

  /** A connection on the UNIX socket: the peer's uid from SO_PEERCRED. */
  static Wire unix(SocketChannel channel) {
    return new UnixWire(channel);
  }

  /** A connection on TCP (TLS or loopback). */
  static Wire socket(Socket socket) {
    return new SocketWire(socket);
  }

  private static final class UnixWire extends Wire {
    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;

    UnixWire(SocketChannel channel) {
      this.channel = channel;
      // reads and writes on a SocketChannel may run at once (one reader, one writer), which the
      // streams of Channels.newInputStream/newOutputStream did not always allow
      this.in =
          new InputStream() {
            @Override
            public int read() throws IOException {
              byte[] one = new byte[1];
              int n = read(one, 0, 1);
              return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
              if (len == 0) {
                return 0;
              }
              int n;
              do {
                n = channel.read(ByteBuffer.wrap(b, off, len));
              } while (n == 0);
              return n;
            }
          };
      this.out =
          new OutputStream() {
            @Override
            public void write(int b) throws IOException {
              write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
              ByteBuffer buf = ByteBuffer.wrap(b, off, len);
              while (buf.hasRemaining()) {
                channel.write(buf);
              }
            }
          };
    }

    @Override
    InputStream in() {
      return in;
    }

    @Override
    OutputStream out() {
      return out;
    }

    @Override
    void shutdownOutput() throws IOException {
      channel.shutdownOutput();
    }

    @Override
    ApiCall.Client client() {
      return PeerCredentials.of(channel);
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  private static final class SocketWire extends Wire {
    private final Socket socket;
    private InputStream in;
    private OutputStream out;

    SocketWire(Socket socket) {
      this.socket = socket;
    }

    @Override
    void open() throws IOException {
      if (socket instanceof SSLSocket ssl) {
        // the handshake is bounded like a request head; then reads wait for the reaper's deadlines
        ssl.setSoTimeout(ApiServer.Limits.DEFAULT.headerTimeoutMillis());
        ssl.startHandshake();
        ssl.setSoTimeout(0);
      }
      in = socket.getInputStream();
      out = socket.getOutputStream();
    }

    @Override
    InputStream in() {
      return in;
    }

    @Override
    OutputStream out() {
      return out;
    }

    @Override
    void shutdownOutput() throws IOException {
      socket.shutdownOutput();
    }

    @Override
    ApiCall.Client client() {
      if (socket instanceof SSLSocket ssl) {
        return TlsSetup.client(ssl.getSession());
      }
      return new ApiCall.Client("tcp=" + socket.getInetAddress().getHostAddress(), -1);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
