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
 * through its Unix socket ({@code DOCKER_HOST=unix://...}, else {@code /var/run/docker.sock}), as
 * buildx's docker exporter without a destination. No daemon there is an error saying so; the
 * daemon's answer is read bounded (1 MiB) and within 10 minutes.
 */
final class DockerDaemon {
  private DockerDaemon() {}

  private static final int MAX_ANSWER = 1 << 20;
  private static final long ANSWER_TIMEOUT_SECONDS = 600;

  interface Body {
    void write(OutputStream out) throws IOException;
  }

  /** The daemon's socket: {@code DOCKER_HOST} when it is a {@code unix://} address. */
  static Path socket(Map<String, String> env) throws IOException {
    String host = env.get("DOCKER_HOST");
    if (host == null || host.isBlank()) {
      return Path.of("/var/run/docker.sock");
    }
    if (!host.startsWith("unix://")) {
      throw new IOException(
          "--load: DOCKER_HOST=" + host + " is not a unix:// socket; jbuild loads through one");
    }
    return Path.of(host.substring("unix://".length()));
  }

  static void load(Body body) throws IOException {
    Path sock = socket(System.getenv());
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      try {
        ch.connect(UnixDomainSocketAddress.of(sock));
      } catch (IOException e) {
        throw new IOException(
            "--load: no docker daemon at unix://"
                + sock
                + " ("
                + e.getMessage()
                + "); nothing was loaded (use -o type=docker,dest=FILE and docker load)",
            e);
      }
      OutputStream raw = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
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
      String answer = readAnswer(ch);
      check(answer, sock);
    }
  }

  /** The whole answer, at most {@link #MAX_ANSWER} bytes, within the timeout. */
  private static String readAnswer(SocketChannel ch) throws IOException {
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<byte[]> f =
          pool.submit(
              () -> {
                InputStream in = Channels.newInputStream(ch);
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
  static void check(String answer, Path sock) throws IOException {
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
