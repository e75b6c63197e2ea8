package dev.jbuild.serve;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request line and its headers, read within the server's bounds: at most {@code maxBytes} in all
 * and {@code maxHeaders} header lines, else {@link TooLarge} (the server answers 431 and closes).
 */
record HttpHead(
    String method, String target, String httpVersion, Map<String, List<String>> headers) {

  /** The head is over the server's bounds. */
  static final class TooLarge extends IOException {
    TooLarge(String message) {
      super(message);
    }
  }

  /** The head is not HTTP. */
  static final class Malformed extends IOException {
    Malformed(String message) {
      super(message);
    }
  }

  /** The first value of a header (case-insensitive), or null. */
  String header(String name) {
    List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
    return v == null || v.isEmpty() ? null : v.getFirst();
  }

  /** Whether the header's comma-separated values hold {@code token} (case-insensitive). */
  boolean headerHas(String name, String token) {
    List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
    if (v != null) {
      for (String value : v) {
        for (String t : value.split(",")) {
          if (t.trim().equalsIgnoreCase(token)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Whether the connection may serve another request after this one. */
  boolean keepAlive() {
    if (headerHas("connection", "close")) {
      return false;
    }
    return !httpVersion.equals("HTTP/1.0") || headerHas("connection", "keep-alive");
  }

  /** The path of the target, percent-decoded ({@code +} stays a plus in a path). */
  String path() throws Malformed {
    int q = target.indexOf('?');
    String raw = q < 0 ? target : target.substring(0, q);
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new Malformed("bad percent-encoding in " + raw);
    }
  }

  /** The query parameters of the target, in order, as Go's url.ParseQuery reads them. */
  Map<String, List<String>> query() throws Malformed {
    Map<String, List<String>> out = new LinkedHashMap<>();
    int q = target.indexOf('?');
    if (q < 0) {
      return out;
    }
    for (String pair : target.substring(q + 1).split("[&;]")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      try {
        String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
      } catch (IllegalArgumentException e) {
        throw new Malformed("bad percent-encoding in the query");
      }
    }
    return out;
  }

  /**
   * Reads a head whose first byte {@code first} was already read. Bare LF line ends are accepted
   * (as Go's server does); obsolete line folding is not.
   */
  static HttpHead read(InputStream in, int first, int maxBytes, int maxHeaders) throws IOException {
    int[] budget = {maxBytes - 1};
    String requestLine = line(in, first, budget);
    String[] parts = requestLine.split(" ", -1);
    if (parts.length != 3
        || parts[0].isEmpty()
        || !parts[1].startsWith("/")
        || !parts[2].startsWith("HTTP/1.")) {
      throw new Malformed("malformed request line");
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    int count = 0;
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed in the request head");
      }
      budget[0]--;
      String line = line(in, c, budget);
      if (line.isEmpty()) {
        break;
      }
      if (++count > maxHeaders) {
        throw new TooLarge("more than " + maxHeaders + " request headers");
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') {
        throw new Malformed("malformed header line");
      }
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      headers.computeIfAbsent(name, x -> new ArrayList<>()).add(line.substring(colon + 1).trim());
    }
    return new HttpHead(parts[0], parts[1], parts[2], headers);
  }

  private static String line(InputStream in, int first, int[] budget) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c = first;
    while (true) {
      if (c == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      sb.append((char) c); // ISO-8859-1, as HTTP heads are
      c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed in the request head");
      }
      if (--budget[0] < 0) {
        throw new TooLarge("request head larger than the limit");
      }
    }
  }
}
