package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpExchange;
import dev.jbuild.testing.LoopbackHttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real git servers on loopback for the git source tests: repositories made with the git CLI under a
 * base directory, served by {@code git daemon} (git://) and by {@code git http-backend} behind the
 * JDK's HTTP server (http://, optionally requiring an Authorization header).
 */
final class GitServers implements AutoCloseable {
  final Path base;
  private Process daemon;
  private int daemonPort;
  private LoopbackHttpServer http;
  volatile String requiredAuthorization;

  GitServers(Path base) {
    this.base = base;
  }

  static String git(Path dir, String... args) throws IOException, InterruptedException {
    return gitWithInput(dir, "", args);
  }

  /** git with {@code input} on its standard input; its output, stripped. */
  static String gitWithInput(Path dir, String input, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("git", "-c", "protocol.file.allow=always"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("GIT_AUTHOR_NAME", "t");
    env.put("GIT_AUTHOR_EMAIL", "t@example.invalid");
    env.put("GIT_COMMITTER_NAME", "t");
    env.put("GIT_COMMITTER_EMAIL", "t@example.invalid");
    env.put("GIT_CONFIG_NOSYSTEM", "1");
    env.put("HOME", dir.toString());
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(input.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "git " + String.join(" ", args) + ":\n" + out);
    return out.strip();
  }

  /** A work tree at base/src-NAME whose commits are pushed to the bare base/NAME.git. */
  Path newRepo(String name) throws IOException, InterruptedException {
    Path bare = base.resolve(name + ".git");
    Files.createDirectories(bare);
    git(bare, "init", "-q", "--bare", "-b", "main");
    git(bare, "config", "http.receivepack", "false");
    Path work = base.resolve("src-" + name);
    Files.createDirectories(work);
    git(work, "init", "-q", "-b", "main");
    git(work, "remote", "add", "origin", bare.toString());
    return work;
  }

  /** Commits everything in {@code work} and pushes its branches and tags; the new commit. */
  static String commitAndPush(Path work, String message) throws IOException, InterruptedException {
    git(work, "add", "-A");
    git(work, "commit", "-q", "--allow-empty", "-m", message);
    git(work, "push", "-q", "--tags", "origin", "main");
    return git(work, "rev-parse", "HEAD");
  }

  /** git:// on 127.0.0.1: every repository under base, read-only. */
  String gitUrl(String name) throws IOException, InterruptedException {
    if (daemon == null) {
      try (ServerSocket s = new ServerSocket(0)) {
        daemonPort = s.getLocalPort();
      }
      daemon =
          new ProcessBuilder(
                  "git",
                  "daemon",
                  "--reuseaddr",
                  "--export-all",
                  "--listen=127.0.0.1",
                  "--port=" + daemonPort,
                  "--base-path=" + base,
                  base.toString())
              .redirectErrorStream(true)
              .redirectOutput(base.resolve("daemon.log").toFile())
              .start();
      for (int i = 0; i < 100; i++) {
        try (Socket probe = new Socket("127.0.0.1", daemonPort)) {
          if (probe.isConnected()) {
            break;
          }
        } catch (IOException e) {
          Thread.sleep(50);
        }
      }
    }
    return "git://127.0.0.1:" + daemonPort + "/" + name + ".git";
  }

  /** http:// on 127.0.0.1: git http-backend over every repository under base. */
  String httpUrl(String name) throws IOException {
    if (http == null) {
      http = LoopbackHttpServer.start("/", this::backend);
    }
    return "http://127.0.0.1:" + http.port() + "/" + name + ".git";
  }

  int httpPort() throws IOException {
    httpUrl("x");
    return http.port();
  }

  private void backend(HttpExchange ex) throws IOException {
    try (ex) {
      String want = requiredAuthorization;
      if (want != null && !want.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
        ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
        ex.sendResponseHeaders(401, -1);
        return;
      }
      ProcessBuilder pb = new ProcessBuilder("git", "http-backend");
      Map<String, String> env = pb.environment();
      env.put("GIT_PROJECT_ROOT", base.toString());
      env.put("GIT_HTTP_EXPORT_ALL", "1");
      env.put("PATH_INFO", ex.getRequestURI().getRawPath());
      env.put(
          "QUERY_STRING",
          ex.getRequestURI().getRawQuery() == null ? "" : ex.getRequestURI().getRawQuery());
      env.put("REQUEST_METHOD", ex.getRequestMethod());
      env.put("REMOTE_ADDR", "127.0.0.1");
      String ct = ex.getRequestHeaders().getFirst("Content-Type");
      env.put("CONTENT_TYPE", ct == null ? "" : ct);
      String proto = ex.getRequestHeaders().getFirst("Git-Protocol");
      if (proto != null) {
        env.put("GIT_PROTOCOL", proto);
      }
      String enc = ex.getRequestHeaders().getFirst("Content-Encoding");
      if (enc != null) {
        env.put("HTTP_CONTENT_ENCODING", enc);
      }
      Process p = pb.start();
      try (OutputStream in = p.getOutputStream();
          InputStream body = ex.getRequestBody()) {
        body.transferTo(in);
      }
      InputStream out = p.getInputStream();
      int status = 200;
      String line;
      while (!(line = readLine(out)).isEmpty()) {
        int colon = line.indexOf(':');
        String k = line.substring(0, colon).trim();
        String v = line.substring(colon + 1).trim();
        if (k.equalsIgnoreCase("Status")) {
          status = Integer.parseInt(v.split(" ")[0]);
        } else {
          ex.getResponseHeaders().add(k, v);
        }
      }
      ex.sendResponseHeaders(status, 0);
      try (OutputStream os = ex.getResponseBody()) {
        out.transferTo(os);
      }
      p.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  @Override
  public void close() {
    if (daemon != null) {
      daemon.destroy();
      try {
        daemon.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      daemon.destroyForcibly();
    }
    if (http != null) {
      http.close();
    }
  }
}
