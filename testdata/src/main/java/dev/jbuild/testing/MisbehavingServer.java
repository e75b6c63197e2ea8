package dev.jbuild.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * An HTTP/1.1 server on 127.0.0.1 (a plain {@link ServerSocket}, one virtual thread per connection)
 * whose handler decides byte by byte what the client gets: answers that never come, bodies that
 * stop half way, connections dropped mid-transfer, ranges honoured or not. For the tests of
 * timeouts, retries and resumed downloads. Every request is recorded; {@link #close()} releases the
 * handlers that {@link #hang()}.
 */
public final class MisbehavingServer implements AutoCloseable {
  /** A request as received (header names lower case). */
  public record Request(String method, String path, Map<String, String> headers) {
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** Writes the whole answer (or not) to {@code out}; the connection closes afterwards. */
  @FunctionalInterface
  public interface Handler {
    void handle(Request request, OutputStream out, MisbehavingServer server) throws IOException;
  }

  private final ServerSocket socket;
  private final Handler handler;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final List<Socket> open = new CopyOnWriteArrayList<>();

  private MisbehavingServer(Handler handler) throws IOException {
    this.handler = handler;
    this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(this::accept);
  }

  public static MisbehavingServer start(Handler handler) {
    try {
      return new MisbehavingServer(handler);
    } catch (IOException e) {
      throw new AssertionError("cannot listen on 127.0.0.1: " + e, e);
    }
  }

  /** {@code 127.0.0.1:PORT} */
  public String host() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  public List<Request> requests() {
    return new ArrayList<>(requests);
  }

  /** Blocks the handler until the server is closed (a peer that never answers). */
  public void hang() {
    try {
      closed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes a complete answer with Content-Length. */
  public static void respond(OutputStream out, int status, Map<String, String> headers, byte[] body)
      throws IOException {
    head(out, status, headers, body.length);
    out.write(body);
    out.flush();
  }

  /** Writes the status line and headers (Content-Length {@code length}, Connection: close). */
  public static void head(OutputStream out, int status, Map<String, String> headers, long length)
      throws IOException {
    var sb = new StringBuilder("HTTP/1.1 ").append(status).append(" X\r\n");
    headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
    sb.append("Content-Length: ").append(length).append("\r\n");
    sb.append("Connection: close\r\n\r\n");
    out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private void accept() {
    while (!socket.isClosed()) {
      try {
        Socket s = socket.accept();
        open.add(s);
        Thread.ofVirtual().start(() -> serve(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      Request r = read(in);
      if (r == null) {
        return;
      }
      requests.add(r);
      OutputStream out = s.getOutputStream();
      handler.handle(r, out, this);
      out.flush();
    } catch (IOException | RuntimeException e) {
      // the client went away
    } finally {
      open.remove(s);
    }
  }

  private static Request read(InputStream in) throws IOException {
    var line = new ByteArrayOutputStream();
    List<String> lines = new ArrayList<>();
    int b;
    int total = 0;
    while ((b = in.read()) >= 0 && ++total < 65536) {
      if (b == '\n') {
        String l = line.toString(StandardCharsets.ISO_8859_1).strip();
        line.reset();
        if (l.isEmpty()) {
          break;
        }
        lines.add(l);
      } else {
        line.write(b);
      }
    }
    if (lines.isEmpty()) {
      return null;
    }
    String[] first = lines.get(0).split(" ");
    var headers = new LinkedHashMap<String, String>();
    long length = 0;
    for (String l : lines.subList(1, lines.size())) {
      int colon = l.indexOf(':');
      if (colon > 0) {
        String k = l.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String v = l.substring(colon + 1).strip();
        headers.put(k, v);
        if (k.equals("content-length")) {
          length = Long.parseLong(v);
        }
      }
    }
    in.skipNBytes(length);
    return new Request(first[0], first.length > 1 ? first[1] : "", headers);
  }

  @Override
  public void close() {
    closed.countDown();
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
