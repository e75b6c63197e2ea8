package dev.jbuild.serve;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The daemon's HTTP/1.1 server: an acceptor per listener (UNIX socket, TLS or loopback TCP), one
 * virtual thread per connection ({@link HttpConnection}), and a reaper that closes connections past
 * their deadline (a head not read in time, an idle keep-alive connection, a stalled body).
 */
public final class ApiServer implements Closeable {
  /** The Docker Engine API version the daemon speaks, and the oldest it accepts (dockerd's). */
  public static final String API_VERSION = "1.41";

  public static final String MIN_API_VERSION = "1.24";

  /** The server's bounds. */
  public record Limits(
      int maxHeadBytes,
      int maxHeaders,
      long maxJsonBody,
      int headerTimeoutMillis,
      int idleTimeoutMillis,
      int bodyReadTimeoutMillis) {
    public static final Limits DEFAULT =
        new Limits(64 * 1024, 200, 4L << 20, 30_000, 120_000, 300_000);
  }

  private final Router router;
  private final Limits limits;
  private final RequestLog log;
  private final List<Listeners.Listener> listeners = new CopyOnWriteArrayList<>();
  private final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
  private final Thread reaper;
  private volatile boolean stopping;

  public ApiServer(Router router, Limits limits, RequestLog log) {
    this.router = router;
    this.limits = limits;
    this.log = log;
    this.reaper = Thread.ofVirtual().name("jbuild-serve-reaper").start(this::reap);
  }

  Router router() {
    return router;
  }

  RequestLog log() {
    return log;
  }

  boolean stopping() {
    return stopping;
  }

  /** Accepts connections on {@code listener} until {@link #close}. */
  public void listen(Listeners.Listener listener) {
    listeners.add(listener);
    Thread.ofPlatform()
        .daemon(true)
        .name("jbuild-serve-accept " + listener.address())
        .start(() -> accept(listener));
  }

  private void accept(Listeners.Listener listener) {
    while (!stopping) {
      Wire wire;
      try {
        wire = listener.accept();
      } catch (IOException e) {
        if (!stopping) {
          log.line("accept on " + listener.address() + " failed: " + e.getMessage());
          try {
            Thread.sleep(100); // out of descriptors, say: do not spin
          } catch (InterruptedException ie) {
            return;
          }
        }
        continue;
      }
      HttpConnection c = new HttpConnection(this, wire, limits);
      connections.add(c);
      Thread.ofVirtual().name("jbuild-serve-conn").start(c);
    }
  }

  void forget(HttpConnection c) {
    connections.remove(c);
  }

  private void reap() {
    while (!stopping) {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      for (HttpConnection c : connections) {
        if (c.expired(now)) {
          c.close();
        }
      }
    }
  }

  /**
   * Stops: no new connection, idle connections closed, requests in flight given {@code graceMillis}
   * to finish, then every connection closed.
   */
  public void stop(long graceMillis) {
    stopping = true;
    for (Listeners.Listener l : listeners) {
      try {
        l.close();
      } catch (IOException e) {
        log.line("closing " + l.address() + ": " + e.getMessage());
      }
    }
    long end = System.nanoTime() + graceMillis * 1_000_000L;
    while (true) {
      boolean anyBusy = false;
      for (HttpConnection c : connections) {
        if (c.busy()) {
          anyBusy = true;
        } else {
          c.close();
        }
      }
      if (!anyBusy || System.nanoTime() - end > 0) {
        break;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (HttpConnection c : connections) {
      c.close();
    }
    reaper.interrupt();
  }

  @Override
  public void close() {
    stop(0);
  }

  private static volatile String version;

  /** jbuild's version, for the Server header and /version. */
  public static String version() {
    String v = version;
    if (v == null) {
      v = ApiServer.class.getPackage().getImplementationVersion();
      if (v == null) {
        v = "dev";
      }
      version = v;
    }
    return v;
  }
}
