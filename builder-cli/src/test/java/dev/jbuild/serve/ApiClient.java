package dev.jbuild.serve;

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
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A small HTTP/1.1 client on the daemon's UNIX socket for tests: one request per connection ({@code
 * Connection: close}), the answer read to the end; chunked answers are decoded.
 */
public final class ApiClient {
  private final Path socket;

  public ApiClient(Path socket) {
    this.socket = socket;
  }

  /** An answer: status, headers (lower-case names) and body. */
  public record Response(int status, Map<String, String> headers, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  public Response get(String path) throws IOException {
    return request("GET", path, Map.of(), null);
  }

  public Response post(String path, String contentType, byte[] body) throws IOException {
    return request("POST", path, Map.of("Content-Type", contentType), body);
  }

  public Response request(String method, String path, Map<String, String> headers, byte[] body)
      throws IOException {
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: docker\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    if (body != null) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    byte[] bytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    if (body != null) {
      byte[] all = new byte[bytes.length + body.length];
      System.arraycopy(bytes, 0, all, 0, bytes.length);
      System.arraycopy(body, 0, all, bytes.length, body.length);
      bytes = all;
    }
    return raw(bytes);
  }

  /** Sends {@code request} as it is and reads the answer until the daemon closes. */
  public Response raw(byte[] request) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      OutputStream out = Channels.newOutputStream(ch);
      try {
        out.write(request);
        out.flush();
      } catch (IOException e) {
        // the daemon may answer and close before reading everything (a refused head)
      }
      InputStream in = Channels.newInputStream(ch);
      return parse(in.readAllBytes(), method(request));
    }
  }

  private static String method(byte[] request) {
    String s = new String(request, 0, Math.min(8, request.length), StandardCharsets.ISO_8859_1);
    return s.startsWith("HEAD") ? "HEAD" : "";
  }

  static Response parse(byte[] all, String method) throws IOException {
    String text = new String(all, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new IOException("no HTTP answer: " + text);
    }
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).trim());
    }
    byte[] rest = java.util.Arrays.copyOfRange(all, end + 4, all.length);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      rest = dechunk(rest);
    }
    return new Response(status, headers, method.equals("HEAD") ? new byte[0] : rest);
  }

  private static byte[] dechunk(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < in.length) {
      int eol = i;
      while (eol + 1 < in.length && !(in[eol] == '\r' && in[eol + 1] == '\n')) {
        eol++;
      }
      int size = Integer.parseInt(new String(in, i, eol - i, StandardCharsets.US_ASCII).trim(), 16);
      if (size == 0) {
        break;
      }
      out.write(in, eol + 2, size);
      i = eol + 2 + size + 2;
    }
    return out.toByteArray();
  }
}
