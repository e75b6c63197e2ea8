package dev.jbuild.builder.publish;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --load}: a docker archive streamed to the docker daemon's {@code POST /images/load}
 * through its Unix socket ({@code DOCKER_HOST=unix://...}, else {@code /var/run/docker.sock}) or
 * plain TCP ({@code DOCKER_HOST=tcp://HOST:PORT}), as buildx's docker exporter without a
 * destination. No daemon there is an error saying so; the daemon's answer is read bounded (1 MiB)
 * and within 10 minutes.
 */
final class DockerDaemon {
  private DockerDaemon() {}

  private static final int MAX_ANSWER = 1 << 20;
  private static final long ANSWER_TIMEOUT_SECONDS = 600;

  interface Body {
    void write(OutputStream out) throws IOException;
  }

  /** Where the daemon listens: a UNIX socket path, or a TCP host and port (plain HTTP). */
  sealed interface Address {
    record Unix(Path socket) implements Address {
      @Override
      public String toString() {
        return "unix://" + socket;
      }
    }

    record Tcp(String host, int port) implements Address {
      @Override
      public String toString() {
        return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
      }
    }
  }

  /**
   * The daemon's address from {@code DOCKER_HOST} as docker reads it: {@code unix://PATH} (the
   * default {@code /var/run/docker.sock}) or {@code tcp://HOST:PORT} (plain HTTP; with {@code
   * DOCKER_TLS_VERIFY} set the daemon wants TLS, which --load does not speak: an error says so).
   */
  static Address address(Map<String, String> env) throws IOException {
    String host = env.get("DOCKER_HOST");
    if (host == null || host.isBlank()) {
      return new Address.Unix(Path.of("/var/run/docker.sock"));
    }
    if (host.startsWith("unix://")) {
      return new Address.Unix(Path.of(host.substring("unix://".length())));
    }
    if (host.startsWith("tcp://")) {
      String tls = env.get("DOCKER_TLS_VERIFY");
      if (tls != null && !tls.isEmpty()) {
        throw new IOException(
            "--load: DOCKER_HOST="
                + host
                + " wants TLS (DOCKER_TLS_VERIFY), which --load does not speak; use"
                + " -o type=docker,dest=- | docker load");
      }
      java.net.URI uri;
      try {
        uri = new java.net.URI("tcp://" + host.substring("tcp://".length()).replaceAll("/+$", ""));
      } catch (java.net.URISyntaxException e) {
        throw new IOException("--load: DOCKER_HOST=" + host + " is not a tcp://HOST:PORT address");
      }
      if (uri.getHost() == null || uri.getPort() <= 0) {
        throw new IOException("--load: DOCKER_HOST=" + host + " is not a tcp://HOST:PORT address");
      }
      String h = uri.getHost();
      if (h.startsWith("[") && h.endsWith("]")) {
        h = h.substring(1, h.length() - 1);
      }
      return new Address.Tcp(h, uri.getPort());
    }
    throw new IOException(
        "--load: DOCKER_HOST=" + host + " is neither a unix:// socket nor a tcp:// address");
  }

  /** The connect timeout of a TCP daemon. */
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  static void load(Body body) throws IOException {
    Address where = address(System.getenv());
    java.io.Closeable conn;
    InputStream in;
    OutputStream out;
    try {
      switch (where) {
        case Address.Unix u -> {
          SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
          conn = ch;
          try {
            ch.connect(UnixDomainSocketAddress.of(u.socket()));
          } catch (IOException e) {
            ch.close();
            throw e;
          }
          in = Channels.newInputStream(ch);
          out = Channels.newOutputStream(ch);
        }
        case Address.Tcp t -> {
          java.net.Socket s = new java.net.Socket();
          conn = s;
          try {
            s.connect(new java.net.InetSocketAddress(t.host(), t.port()), CONNECT_TIMEOUT_MILLIS);
          } catch (IOException e) {
            s.close();
            throw e;
          }
          in = s.getInputStream();
          out = s.getOutputStream();
        }
      }
    } catch (IOException e) {
      throw new IOException(
          "--load: no docker daemon at "
              + where
              + " ("
              + e.getMessage()
              + "); nothing was loaded (use -o type=docker,dest=FILE and docker load)",
          e);
    }
    try (conn) {
      OutputStream raw = new BufferedOutputStream(out, 1 << 16);
      raw.write(
          ("POST /images/load?quiet=1 HTTP/1.1\r\nHost: docker\r\n"
                  + "Content-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n"
                  + "Connection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      Chunked chunked = new Chunked(raw);
      BufferedOutputStream buffered = new BufferedOutputStream(chunked, 1 << 16);
      body.write(buffered);
      buffered.flush();
      chunked.finish();
      raw.flush();
      String answer = readAnswer(in, conn);
      check(answer, where.toString());
    }
  }

  /** The whole answer, at most {@link #MAX_ANSWER} bytes, within the timeout. */
  private static String readAnswer(InputStream in, java.io.Closeable ch) throws IOException {
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<byte[]> f =
          pool.submit(
              () -> {
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                byte[] b = new byte[8192];
                int n;
                while ((n = in.read(b)) > 0 && buf.size() < MAX_ANSWER) {
                  buf.write(b, 0, Math.min(n, MAX_ANSWER - buf.size()));
                }
                return buf.toByteArray();
              });
      try {
        return new String(f.get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS), StandardCharsets.UTF_8);
      } catch (TimeoutException e) {
        ch.close();
        throw new IOException("--load: the docker daemon did not answer within 10 minutes", e);
      } catch (ExecutionException e) {
        throw new IOException("--load: reading the docker daemon's answer: " + e.getCause(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        ch.close();
        throw new IOException("--load interrupted", e);
      }
    }
  }

  private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.[01] (\\d{3})");
  private static final Pattern ERROR =
      Pattern.compile("\"error\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

  /** Refuses a non-200 status, or a 200 whose JSON stream reports an error. */
  static void check(String answer, String sock) throws IOException {
    Matcher status = STATUS.matcher(answer);
    if (!status.find()) {
      throw new IOException("--load: unreadable answer from the docker daemon at " + sock);
    }
    Matcher error = ERROR.matcher(answer);
    String message = error.find() ? error.group(1) : null;
    if (!status.group(1).equals("200") || message != null) {
      String body = answer.substring(Math.max(0, answer.indexOf("\r\n\r\n") + 4)).strip();
      String what = message != null ? message : body.lines().findFirst().orElse("");
      if (what.length() > 300) {
        what = what.substring(0, 300) + "...";
      }
      throw new IOException(
          "--load: the docker daemon refused the image (HTTP " + status.group(1) + "): " + what);
    }
  }

  /** HTTP/1.1 chunked transfer coding; {@link #finish()} writes the last chunk. */
  private static final class Chunked extends OutputStream {
    private final OutputStream out;

    Chunked(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return;
      }
      out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(b, off, len);
      out.write(new byte[] {'\r', '\n'});
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() {
      // the archive writer closes its stream; the connection stays open for the answer
    }

    void finish() throws IOException {
      out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }
  }
}
