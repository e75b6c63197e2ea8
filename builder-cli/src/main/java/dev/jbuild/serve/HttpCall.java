package dev.jbuild.serve;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonParseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/** One request on an HTTP connection and its answer: {@link ApiCall} for the handlers. */
final class HttpCall implements ApiCall {
  /** Where the answer is. */
  enum State {
    NONE,
    ANSWERED,
    STREAMING,
    HIJACKED
  }

  private final HttpHead head;
  private final String path;
  private final String version;
  private final Map<String, List<String>> query;
  private final InputStream body;
  private final OutputStream out;
  private final Client client;
  private final HttpConnection connection;
  private final long maxJsonBody;
  private Map<String, String> params = Map.of();
  private State state = State.NONE;
  private int status;
  private HttpBodies.ChunkedOutput chunked;
  private HttpConnection.DisconnectWatch watch;

  HttpCall(
      HttpHead head,
      String path,
      String version,
      Map<String, List<String>> query,
      InputStream body,
      OutputStream out,
      Client client,
      HttpConnection connection,
      long maxJsonBody) {
    this.head = head;
    this.path = path;
    this.version = version;
    this.query = query;
    this.body = body;
    this.out = out;
    this.client = client;
    this.connection = connection;
    this.maxJsonBody = maxJsonBody;
  }

  void params(Map<String, String> params) {
    this.params = params;
  }

  @Override
  public Watch cancelOnDisconnect() {
    Thread handler = Thread.currentThread();
    HttpConnection.DisconnectWatch w = connection.watch(body, handler::interrupt);
    if (w == null) {
      return () -> {};
    }
    watch = w;
    return w;
  }

  /** Whether the client went away while the handler ran (and the handler was interrupted). */
  boolean cancelled() {
    return watch != null && watch.clientGone();
  }

  State state() {
    return state;
  }

  int status() {
    return status;
  }

  /** Ends a streamed answer the handler left open; false when that failed (close then). */
  boolean finish() {
    if (state == State.STREAMING && !chunked.isClosed()) {
      try {
        chunked.close();
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String method() {
    return head.method();
  }

  @Override
  public String path() {
    return path;
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public String param(String name) {
    return params.get(name);
  }

  @Override
  public String query(String name) {
    List<String> v = query.get(name);
    return v == null || v.isEmpty() ? null : v.getFirst();
  }

  @Override
  public List<String> queryAll(String name) {
    List<String> v = query.get(name);
    return v == null ? List.of() : List.copyOf(v);
  }

  @Override
  public String header(String name) {
    return head.header(name);
  }

  @Override
  public InputStream body() {
    return body;
  }

  @Override
  public Json jsonBody() throws IOException, ApiException {
    byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 16, maxJsonBody + 1));
    if (bytes.length > maxJsonBody) {
      throw new ApiException(413, "request body larger than " + maxJsonBody + " bytes");
    }
    if (bytes.length == 0) {
      return JsonObject.EMPTY;
    }
    try {
      return Json.parse(bytes);
    } catch (JsonParseException e) {
      throw ApiException.badRequest("invalid JSON: " + e.getMessage());
    }
  }

  @Override
  public Client client() {
    return client;
  }

  @Override
  public void json(int status, Json body) throws IOException {
    send(status, "application/json", (body + "\n").getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void noContent() throws IOException {
    begin(204);
    writeHead(204, null, 0, List.of());
    out.flush();
  }

  @Override
  public void text(int status, String contentType, String body) throws IOException {
    send(status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  /** An error answer, docker's {@code {"message": ...}}; only before anything was sent. */
  void error(int status, String message) throws IOException {
    if (status == 304) {
      begin(304);
      writeHead(304, null, -1, List.of());
      out.flush();
      return;
    }
    json(status, JsonObject.builder().put("message", message).build());
  }

  private void send(int status, String contentType, byte[] bytes) throws IOException {
    begin(status);
    writeHead(status, contentType, bytes.length, List.of());
    if (!head.method().equals("HEAD")) {
      out.write(bytes);
    }
    out.flush();
  }

  @Override
  public OutputStream stream(int status, String contentType, String... headers) throws IOException {
    begin(status);
    writeHead(status, contentType, -2, List.of(headers));
    if (head.method().equals("HEAD")) {
      out.flush();
      chunked = new HttpBodies.ChunkedOutput(OutputStream.nullOutputStream(), 1);
    } else {
      chunked = new HttpBodies.ChunkedOutput(out, 32 * 1024);
    }
    state = State.STREAMING;
    out.flush();
    return chunked;
  }

  @Override
  public RawStream hijack(String contentType) throws IOException {
    begin(101);
    boolean upgrade = head.headerHas("upgrade", "tcp") && head.headerHas("connection", "upgrade");
    if (upgrade) {
      status = 101;
      writeStatusLine(101, "UPGRADED");
      header("Content-Type", contentType);
      header("Connection", "Upgrade");
      header("Upgrade", "tcp");
      commonHeaders();
      out.write(CRLF);
    } else {
      status = 200;
      writeHead(200, contentType, -1, List.of());
    }
    out.flush();
    state = State.HIJACKED;
    return connection.raw();
  }

  private void begin(int status) {
    if (state != State.NONE) {
      throw new IllegalStateException("the request " + path + " was answered already");
    }
    this.state = State.ANSWERED;
    this.status = status;
  }

  private static final byte[] CRLF = {'\r', '\n'};

  /** length: the Content-Length, -1 none (the body runs to the close), -2 chunked. */
  private void writeHead(int status, String contentType, long length, List<String> extra)
      throws IOException {
    writeStatusLine(status, HttpStatus.reason(status));
    commonHeaders();
    if (contentType != null) {
      header("Content-Type", contentType);
    }
    for (int i = 0; i + 1 < extra.size(); i += 2) {
      header(extra.get(i), extra.get(i + 1));
    }
    if (length >= 0 && status != 204 && status != 304) {
      header("Content-Length", Long.toString(length));
    } else if (length == -2) {
      header("Transfer-Encoding", "chunked");
    }
    if (length == -1 && status != 204 && status != 304) {
      connection.closeAfterThis();
      header("Connection", "close");
    } else if (connection.closingAfterThis()) {
      header("Connection", "close");
    }
    out.write(CRLF);
  }

  private void writeStatusLine(int status, String reason) throws IOException {
    out.write(("HTTP/1.1 " + status + " " + reason + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
  }

  private void commonHeaders() throws IOException {
    header("Api-Version", ApiServer.API_VERSION);
    header("Docker-Experimental", "false");
    header("Ostype", "linux");
    header("Server", "jbuild/" + ApiServer.version() + " (linux)");
    header("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC)));
    if (path.equals("/_ping")) {
      header("Builder-Version", "1");
      header("Cache-Control", "no-cache, no-store, must-revalidate");
      header("Pragma", "no-cache");
    }
  }

  private void header(String name, String value) throws IOException {
    if (name.indexOf('\n') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("a header with a line break: " + name);
    }
    out.write((name + ": " + value + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
  }
}
