package dev.jbuild.serve;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One client connection on its own virtual thread: requests one after the other (keep-alive) until
 * the client closes, asks to close, a request cannot be read, a deadline passes or the connection
 * is hijacked. A handler's failure never reaches the client as a stack trace: the client gets one
 * line, the daemon's log the trace.
 */
final class HttpConnection implements Runnable {
  /** Docker's version prefix: {@code /v1.41/images/json}. */
  private static final Pattern VERSIONED = Pattern.compile("/v([0-9]+(?:\\.[0-9]+)*)(/.*)?");

  private final ApiServer server;
  private final Wire wire;
  private final ApiServer.Limits limits;
  private volatile long deadline; // System.nanoTime() after which the reaper closes; 0 none
  private volatile boolean busy;
  private boolean closeAfterThis;
  private InputStream in;
  private OutputStream out;
  private final java.util.concurrent.CountDownLatch rawClosed =
      new java.util.concurrent.CountDownLatch(1);
  private volatile boolean hijacked;

  /** The next request's first byte, read by a disconnect watch while the last handler ran. */
  private java.util.concurrent.CompletableFuture<Integer> watchedFirst;

  HttpConnection(ApiServer server, Wire wire, ApiServer.Limits limits) {
    this.server = server;
    this.wire = wire;
    this.limits = limits;
  }

  @Override
  public void run() {
    try (wire) {
      deadline = System.nanoTime() + limits.headerTimeoutMillis() * 1_000_000L;
      wire.open();
      ApiCall.Client client = wire.client();
      in = new BufferedInputStream(wire.in(), 16 * 1024);
      out = new BufferedOutputStream(wire.out(), 16 * 1024);
      while (!server.stopping()) {
        deadline = System.nanoTime() + limits.idleTimeoutMillis() * 1_000_000L;
        int first = nextFirst();
        if (first < 0) {
          return;
        }
        busy = true;
        deadline = System.nanoTime() + limits.headerTimeoutMillis() * 1_000_000L;
        if (!serveOne(first, client)) {
          if (hijacked) {
            // the raw stream may outlive its handler (threads pumping a container's output): the
            // connection ends when the stream is closed, as ApiCall.hijack promises
            rawClosed.await();
          }
          return;
        }
        busy = false;
      }
    } catch (IOException | RuntimeException e) {
      // the client went away, a deadline closed the connection, or the handshake failed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      busy = false;
      server.forget(this);
    }
  }

  /** Serves one request; false when the connection must close after it. */
  private boolean serveOne(int first, ApiCall.Client client) throws IOException {
    long start = System.nanoTime();
    HttpHead head;
    try {
      head = HttpHead.read(in, first, limits.maxHeadBytes(), limits.maxHeaders());
    } catch (HttpHead.TooLarge e) {
      refuse(431, e.getMessage(), client, "-", "-");
      return false;
    } catch (HttpHead.Malformed e) {
      refuse(400, e.getMessage(), client, "-", "-");
      return false;
    }
    deadline = 0;
    closeAfterThis = !head.keepAlive();
    String target = head.target();
    InputStream body;
    try {
      body = body(head);
    } catch (HttpHead.Malformed e) {
      refuse(400, e.getMessage(), client, head.method(), target);
      return false;
    }
    if ("100-continue".equalsIgnoreCase(head.header("expect"))) {
      out.write(
          "HTTP/1.1 100 Continue\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.flush();
    }
    HttpCall call;
    try {
      call = call(head, body, client);
    } catch (HttpHead.Malformed e) {
      refuse(400, e.getMessage(), client, head.method(), target);
      return false;
    }
    String failure = dispatch(call);
    if (call.cancelled()) {
      Thread.interrupted(); // the watch interrupted the handler: the connection is gone anyway
      server.log().request(head.method(), target, call.status(), client, start, "client gone");
      return false;
    }
    if (call.state() == HttpCall.State.HIJACKED) {
      server.log().request(head.method(), target, call.status(), client, start, failure);
      return false;
    }
    boolean ok = call.finish();
    server.log().request(head.method(), target, call.status(), client, start, failure);
    if (!ok || closeAfterThis || failure != null && call.state() == HttpCall.State.STREAMING) {
      return false;
    }
    // what the handler left of the body is read and dropped, up to a bound
    return drain(body);
  }

  /** The first byte of the next request: what a disconnect watch read, or a read now. */
  private int nextFirst() throws IOException, InterruptedException {
    var watched = watchedFirst;
    if (watched == null) {
      return in.read();
    }
    watchedFirst = null;
    try {
      return watched.get();
    } catch (java.util.concurrent.ExecutionException e) {
      return -1;
    }
  }

  /**
   * Watches the connection while {@code handler} runs (the request's body read to its end): a
   * thread reads the next byte; the end of the stream or a reset means the client went away, and
   * {@code onGone} runs (once, unless the watch was closed before). A byte read (a pipelined
   * request) ends the watch and is the next request's first byte. Null when the body holds more
   * than the drain bound (nothing is watched then).
   */
  DisconnectWatch watch(InputStream body, Runnable onGone) {
    if (!drain(body)) {
      return null;
    }
    DisconnectWatch watch = new DisconnectWatch(onGone);
    var first = new java.util.concurrent.CompletableFuture<Integer>();
    watchedFirst = first;
    Thread.ofVirtual()
        .name("jbuild-serve-watch")
        .start(
            () -> {
              int b;
              try {
                b = in.read();
              } catch (IOException e) {
                b = -1;
              }
              if (b < 0) {
                watch.gone();
              }
              first.complete(b);
            });
    return watch;
  }

  /** A running watch of the client's side of a connection ({@link #watch}). */
  static final class DisconnectWatch implements ApiCall.Watch {
    private final Runnable onGone;
    private boolean closed;
    private boolean gone;

    DisconnectWatch(Runnable onGone) {
      this.onGone = onGone;
    }

    synchronized void gone() {
      if (!closed && !gone) {
        gone = true;
        onGone.run();
      }
    }

    /** Whether the client went away while the watch was open. */
    synchronized boolean clientGone() {
      return gone;
    }

    @Override
    public synchronized void close() {
      closed = true;
    }
  }

  /** Runs the handler; returns the failure's line for the log, or null. */
  private String dispatch(HttpCall call) throws IOException {
    String path = call.path();
    String versionError = versionError(call.version());
    try {
      if (versionError != null) {
        throw ApiException.badRequest(versionError);
      }
      Router.Match match = server.router().find(call.method(), path);
      if (match == null) {
        if (server.router().hasPath(path)) {
          throw new ApiException(405, "method not allowed");
        }
        throw ApiException.notFound("page not found");
      }
      call.params(match.params());
      match.handler().handle(call);
      if (call.state() == HttpCall.State.NONE) {
        throw new IllegalStateException("the handler of " + path + " gave no answer");
      }
      return null;
    } catch (ApiException e) {
      answerError(call, e.status(), e.getMessage());
      return e.status() >= 500 ? e.getMessage() : null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      answerError(call, 503, "the daemon is stopping");
      return "interrupted";
    } catch (dev.jbuild.cli.UserException e) {
      // what the commands' logic refuses, with their exit code: docker's status for it
      int status = ApiErrors.status(e);
      answerError(call, status, e.getMessage());
      return status >= 500 ? e.getMessage() : null;
    } catch (IOException e) {
      if (call.cancelled()) {
        // the client went away and its work was interrupted: nothing to answer or to trace
        closeAfterThis = true;
        return "client gone";
      }
      // a store, registry or runner failure: one line to the client, the trace to the log
      server.log().trace(e);
      String line = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      answerError(call, 500, line);
      return line;
    } catch (RuntimeException | Error e) {
      server.log().trace(e);
      String line =
          "internal error: "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage());
      answerError(call, 500, line);
      return line;
    }
  }

  private void answerError(HttpCall call, int status, String message) throws IOException {
    if (call.state() == HttpCall.State.NONE) {
      call.error(status, message);
    } else {
      // the answer started: all that is left is to close the connection
      closeAfterThis = true;
    }
  }

  /** Docker's middleware: versions above 1.41 or below 1.24 are refused. */
  static String versionError(String version) {
    if (version == null) {
      return null;
    }
    if (compare(version, ApiServer.MIN_API_VERSION) < 0) {
      return "client version "
          + version
          + " is too old. Minimum supported API version is "
          + ApiServer.MIN_API_VERSION
          + ", please upgrade your client to a newer version";
    }
    if (compare(version, ApiServer.API_VERSION) > 0) {
      return "client version "
          + version
          + " is too new. Maximum supported API version is "
          + ApiServer.API_VERSION;
    }
    return null;
  }

  private static int compare(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      long p = i < x.length ? parse(x[i]) : 0;
      long q = i < y.length ? parse(y[i]) : 0;
      if (p != q) {
        return Long.compare(p, q);
      }
    }
    return 0;
  }

  private static long parse(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private HttpCall call(HttpHead head, InputStream body, ApiCall.Client client)
      throws HttpHead.Malformed {
    String path = head.path();
    String version = null;
    Matcher m = VERSIONED.matcher(path);
    if (m.matches()) {
      version = m.group(1);
      path = m.group(2) == null ? "/" : m.group(2);
    }
    Map<String, List<String>> query = head.query();
    return new HttpCall(head, path, version, query, body, out, client, this, limits.maxJsonBody());
  }

  private InputStream body(HttpHead head) throws HttpHead.Malformed {
    InputStream raw;
    String te = head.header("transfer-encoding");
    String cl = head.header("content-length");
    if (te != null) {
      if (!te.equalsIgnoreCase("chunked")) {
        throw new HttpHead.Malformed("unsupported transfer encoding " + te);
      }
      raw = HttpBodies.chunked(in);
    } else if (cl != null) {
      long n;
      try {
        n = Long.parseLong(cl.trim());
      } catch (NumberFormatException e) {
        throw new HttpHead.Malformed("bad Content-Length " + cl);
      }
      if (n < 0) {
        throw new HttpHead.Malformed("bad Content-Length " + cl);
      }
      raw = HttpBodies.fixed(in, n);
    } else {
      raw = InputStream.nullInputStream();
    }
    return timed(raw);
  }

  /** Each read of the body must make progress within the body timeout (a stalled upload ends). */
  private InputStream timed(InputStream raw) {
    return new java.io.FilterInputStream(raw) {
      @Override
      public int read() throws IOException {
        deadline = System.nanoTime() + limits.bodyReadTimeoutMillis() * 1_000_000L;
        try {
          return super.read();
        } finally {
          deadline = 0;
        }
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        deadline = System.nanoTime() + limits.bodyReadTimeoutMillis() * 1_000_000L;
        try {
          return super.read(b, off, len);
        } finally {
          deadline = 0;
        }
      }

      @Override
      public void close() {
        // the connection stays open
      }
    };
  }

  private boolean drain(InputStream body) {
    try {
      long left = 1 << 20;
      byte[] buf = new byte[8192];
      int n;
      while ((n = body.read(buf)) >= 0) {
        left -= n;
        if (left < 0) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void refuse(
      int status, String message, ApiCall.Client client, String method, String target)
      throws IOException {
    long start = System.nanoTime();
    HttpHead none = new HttpHead("GET", "/", "HTTP/1.1", Map.of());
    HttpCall call =
        new HttpCall(
            none, "/", null, Map.of(), InputStream.nullInputStream(), out, client, this, 0);
    closeAfterThis = true;
    call.error(status, message);
    server.log().request(method, target, status, client, start, message);
  }

  void closeAfterThis() {
    closeAfterThis = true;
  }

  boolean closingAfterThis() {
    return closeAfterThis;
  }

  /** The connection as a raw stream both ways (after a hijack). */
  RawStream raw() {
    hijacked = true;
    return new RawStream() {
      @Override
      public InputStream in() {
        return in;
      }

      @Override
      public OutputStream out() {
        // unbuffered: what a container writes reaches the client at once (the head was flushed)
        return wire.out();
      }

      @Override
      public void closeWrite() throws IOException {
        out.flush();
        wire.shutdownOutput();
      }

      @Override
      public void close() throws IOException {
        try {
          out.flush();
        } finally {
          try {
            wire.close();
          } finally {
            rawClosed.countDown();
          }
        }
      }
    };
  }

  /** Called by the reaper: closes the connection when its deadline passed. */
  boolean expired(long now) {
    long d = deadline;
    return d != 0 && now - d > 0;
  }

  boolean busy() {
    return busy;
  }

  void close() {
    try {
      wire.close();
    } catch (IOException e) {
      // closing anyway
    } finally {
      rawClosed.countDown();
    }
  }
}
