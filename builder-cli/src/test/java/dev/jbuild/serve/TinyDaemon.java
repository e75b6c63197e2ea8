package dev.jbuild.serve;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A temporary test fixture until the real server lands: the daemon's router (every area, so
 * ClientRoutes) behind a minimal HTTP/1.1 reader on a UNIX socket, in the test's JVM. Only what
 * POST /jbuild/v1/cli needs: no bodies, hijack answered 101.
 */
public final class TinyDaemon implements AutoCloseable {
  private final ServerSocketChannel server;
  private final Router router;
  private final Thread acceptor;

  public TinyDaemon(Path socket, Path storeRoot, Map<String, String> env) throws IOException {
    router = ApiRoutes.router(new ServeContext(storeRoot, env, new Events()));
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    acceptor =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  while (server.isOpen()) {
                    try {
                      SocketChannel ch = server.accept();
                      Thread.ofVirtual().start(() -> serve(ch));
                    } catch (IOException e) {
                      return;
                    }
                  }
                });
  }

  private void serve(SocketChannel ch) {
    try (ch) {
      InputStream in = new BufferedInputStream(Channels.newInputStream(ch));
      OutputStream out = Channels.newOutputStream(ch);
      String head = head(in);
      String[] first = head.lines().findFirst().orElse("").split(" ");
      Map<String, String> headers = new HashMap<>();
      for (String line : head.lines().skip(1).toList()) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          headers.put(
              line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
              line.substring(colon + 1).strip());
        }
      }
      String path = first[1];
      Router.Match m = router.find(first[0], path);
      if (m == null) {
        byte[] body = "{\"message\":\"page not found\"}".getBytes(StandardCharsets.UTF_8);
        out.write(
            ("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return;
      }
      m.handler().handle(new Call(first[0], path, m.params(), headers, in, out));
    } catch (Exception e) {
      // the connection ends
    }
  }

  private static String head(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new IOException("eof");
      }
      b.write(c);
      String s = b.toString(StandardCharsets.ISO_8859_1);
      if (s.endsWith("\r\n\r\n")) {
        return s;
      }
    }
  }

  private record Call(
      String method,
      String path,
      Map<String, String> params,
      Map<String, String> headers,
      InputStream in,
      OutputStream out)
      implements ApiCall {
    @Override
    public String version() {
      return null;
    }

    @Override
    public String param(String name) {
      return params.get(name);
    }

    @Override
    public String query(String name) {
      return null;
    }

    @Override
    public List<String> queryAll(String name) {
      return List.of();
    }

    @Override
    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public InputStream body() {
      return InputStream.nullInputStream();
    }

    @Override
    public Json jsonBody() {
      return JsonObject.EMPTY;
    }

    @Override
    public Client client() {
      return new Client("test", 0);
    }

    @Override
    public void json(int status, Json body) throws IOException {
      text(status, "application/json", body.toString());
    }

    @Override
    public void noContent() throws IOException {
      out.write("HTTP/1.1 204 No Content\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }

    @Override
    public void text(int status, String contentType, String body) throws IOException {
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      out.write(
          ("HTTP/1.1 "
                  + status
                  + " X\r\nContent-Type: "
                  + contentType
                  + "\r\nContent-Length: "
                  + b.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(b);
      out.flush();
    }

    @Override
    public OutputStream stream(int status, String contentType, String... headers) {
      throw new UnsupportedOperationException();
    }

    @Override
    public RawStream hijack(String contentType) throws IOException {
      out.write(
          ("HTTP/1.1 101 UPGRADED\r\nContent-Type: "
                  + contentType
                  + "\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new RawStream() {
        @Override
        public InputStream in() {
          return in;
        }

        @Override
        public OutputStream out() {
          return out;
        }

        @Override
        public void closeWrite() {}

        @Override
        public void close() {}
      };
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
