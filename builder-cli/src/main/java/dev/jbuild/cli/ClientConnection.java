package dev.jbuild.cli;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.serve.CliProtocol;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The client's connection to a daemon: a UNIX socket, or TCP (mutual TLS with {@code --tlsverify},
 * see {@link ClientTls}), upgraded by {@code POST /jbuild/v1/cli} ({@link CliProtocol}).
 */
final class ClientConnection implements Closeable {
  private static final int MAX_HEAD = 64 * 1024;

  private final Closeable socket;
  private final InputStream in;
  private final OutputStream out;
  private boolean manifests;

  private ClientConnection(Closeable socket, InputStream in, OutputStream out) {
    this.socket = socket;
    this.in = in;
    this.out = out;
  }

  InputStream in() {
    return in;
  }

  OutputStream out() {
    return out;
  }

  /** Whether the daemon reads a context manifest ({@link ContextManifest}) before the upload. */
  boolean manifests() {
    return manifests;
  }

  static ClientConnection open(ClientOptions options) throws IOException {
    String host = options.host();
    ClientConnection c;
    if (host.startsWith("unix://")) {
      String path = host.substring("unix://".length());
      SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
      try {
        ch.connect(UnixDomainSocketAddress.of(path));
      } catch (IOException e) {
        ch.close();
        throw new IOException("cannot connect to " + path + ": " + e.getMessage(), e);
      }
      c =
          new ClientConnection(
              ch,
              new BufferedInputStream(Channels.newInputStream(ch), 1 << 16),
              Channels.newOutputStream(ch));
    } else {
      String hostPort = host.substring("tcp://".length());
      int slash = hostPort.indexOf('/');
      if (slash >= 0) {
        hostPort = hostPort.substring(0, slash);
      }
      int colon = hostPort.lastIndexOf(':');
      if (colon <= 0) {
        throw new UserException(
            ExitCodes.USAGE, "invalid --host \"" + host + "\": tcp:// needs HOST:PORT");
      }
      String name = hostPort.substring(0, colon);
      if (name.startsWith("[") && name.endsWith("]")) {
        name = name.substring(1, name.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(hostPort.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new UserException(ExitCodes.USAGE, "invalid --host \"" + host + "\": bad port");
      }
      Socket s =
          options.tlsVerify()
              ? ClientTls.connect(options, name, port)
              : connect(new Socket(), name, port);
      c =
          new ClientConnection(
              s, new BufferedInputStream(s.getInputStream(), 1 << 16), s.getOutputStream());
    }
    try {
      c.upgrade();
    } catch (IOException | RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  static Socket connect(Socket s, String name, int port) throws IOException {
    s.connect(new InetSocketAddress(name, port), 30_000);
    s.setTcpNoDelay(true);
    return s;
  }

  /** Sends the request and reads the answer's head: 101 (or 200) starts the frames. */
  private void upgrade() throws IOException {
    String request =
        "POST "
            + CliProtocol.PATH
            + " HTTP/1.1\r\nHost: jbuild\r\nUser-Agent: jbuild-client\r\n"
            + "Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n";
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String head = readHead();
    String status = head.lines().findFirst().orElse("");
    String[] parts = status.split(" ", 3);
    int code;
    try {
      code = Integer.parseInt(parts.length > 1 ? parts[1] : "");
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP answer: " + status);
    }
    if (code == 101 || code == 200) {
      for (String line : head.lines().toList()) {
        String l = line.toLowerCase(Locale.ROOT);
        if (l.startsWith("content-type:") && l.contains(CliProtocol.MANIFEST_PARAMETER)) {
          manifests = true;
        }
      }
      return;
    }
    long length = -1;
    for (String line : head.lines().toList()) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Long.parseLong(line.substring("content-length:".length()).strip());
      }
    }
    byte[] body = length >= 0 ? in.readNBytes((int) Math.min(length, MAX_HEAD)) : new byte[0];
    String message = status;
    try {
      JsonObject o = Json.parseObject(body);
      message = o.string("message", status);
    } catch (RuntimeException e) {
      // not docker's error JSON: the status line says enough
    }
    throw new IOException(
        code == 404
            ? "no jbuild client endpoint (" + message + "): is it a jbuild daemon?"
            : message);
  }

  private String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int state = 0;
    while (state < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the daemon closed the connection");
      }
      head.write(b);
      if (head.size() > MAX_HEAD) {
        throw new IOException("the daemon's answer head is too long");
      }
      state =
          (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
              ? state + 1
              : b == '\r' ? 1 : 0;
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
