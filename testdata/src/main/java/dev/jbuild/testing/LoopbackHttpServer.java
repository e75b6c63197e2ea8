package dev.jbuild.testing;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The JDK's HTTP server on 127.0.0.1 at a free port, with one handler: a registry, a token service,
 * a blob store or a proxy that answers what a test needs (a lie, a 503, a redirect). {@link
 * #close()} stops it at once.
 */
public final class LoopbackHttpServer implements AutoCloseable {
  private final HttpServer server;

  private LoopbackHttpServer(HttpServer server) {
    this.server = server;
  }

  /** A started server where {@code handler} answers every path under {@code context}. */
  public static LoopbackHttpServer start(String context, HttpHandler handler) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(context, handler);
    server.start();
    return new LoopbackHttpServer(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** {@code 127.0.0.1:PORT}: the server as a registry host. */
  public String host() {
    return "127.0.0.1:" + port();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
