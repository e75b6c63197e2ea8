package dev.jbuild.serve;

import dev.jbuild.layercache.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * One Docker Engine API request as the router hands it to a {@link Handler}, and the one response
 * the handler gives. The server implements it over a connection (UNIX socket or mutual-TLS TCP);
 * tests may implement it in memory.
 *
 * <p>A handler answers exactly once: {@link #json}, {@link #noContent}, {@link #text}, {@link
 * #stream} or {@link #hijack}; or it throws an {@link ApiException}, which the server turns into
 * docker's error JSON ({@code {"message": "..."}}) with the exception's status, as long as nothing
 * was sent yet. An exception after the answer started closes the connection.
 */
public interface ApiCall {
  /** GET, POST, PUT, DELETE, HEAD. */
  String method();

  /** The decoded path without docker's version prefix: {@code /containers/abc/json}. */
  String path();

  /** The API version the client asked for in the path ({@code 1.41}), or null when it gave none. */
  String version();

  /** A path parameter of the route's pattern ({@code {name}}), decoded; null when absent. */
  String param(String name);

  /** The first value of a query parameter, or null. */
  String query(String name);

  /** Every value of a query parameter, in order; empty when absent. */
  List<String> queryAll(String name);

  /**
   * A boolean query parameter as docker reads it: absent, empty, {@code 0}, {@code false} and
   * {@code False} are false; anything else is true.
   */
  default boolean flag(String name) {
    String v = query(name);
    return v != null && !v.isEmpty() && !v.equals("0") && !v.equalsIgnoreCase("false");
  }

  /** A request header (case-insensitive name), or null. */
  String header(String name);

  /**
   * The request body, already bounded (Content-Length or chunked; the server refuses bodies over
   * its limit for the route). Empty when there is none.
   */
  InputStream body();

  /**
   * From now until the returned watch is closed, the client going away (the connection read to its
   * end, or reset) interrupts the calling thread, as docker cancels a build whose client
   * disconnected. What is left of the body is read first (the handler is done with it).
   */
  Watch cancelOnDisconnect();

  /** A watch of the client's side of the connection; closing it ends the watch. */
  interface Watch extends AutoCloseable {
    @Override
    void close();
  }

  /** The body parsed as JSON (bounded); {@link ApiException#badRequest} when it is not JSON. */
  Json jsonBody() throws IOException, ApiException;

  /** Who sent the request: uid on the UNIX socket, certificate CN on TCP. */
  Client client();

  /** Answers with a JSON body. */
  void json(int status, Json body) throws IOException;

  /** Answers 204 No Content. */
  void noContent() throws IOException;

  /** Answers with a text body of the given media type. */
  void text(int status, String contentType, String body) throws IOException;

  /**
   * Starts a streamed answer (chunked transfer encoding): progress streams, logs, archives. Closing
   * the returned stream ends the answer. Extra headers ({@code X-Docker-Container-Path-Stat}) go in
   * {@code headers} as name, value pairs.
   */
  OutputStream stream(int status, String contentType, String... headers) throws IOException;

  /**
   * Takes over the connection for a bidirectional raw stream (docker's attach and exec start):
   * answers {@code 101 UPGRADED} when the client asked for {@code Upgrade: tcp}, else {@code 200}
   * with the given media type, then hands back the connection's bytes both ways. The server closes
   * the connection when the returned stream is closed.
   */
  RawStream hijack(String contentType) throws IOException;

  /** Who is on the other end of a connection, for the request log and for decisions. */
  record Client(String description, int uid) {
    /** A client on TCP, known by its certificate's CN; uid -1. */
    public static Client tls(String commonName) {
      return new Client("cn=" + commonName, -1);
    }

    public static Client unix(int uid, int pid) {
      return new Client("uid=" + uid + " pid=" + pid, uid);
    }
  }
}
