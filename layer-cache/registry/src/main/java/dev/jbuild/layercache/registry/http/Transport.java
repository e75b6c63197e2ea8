package dev.jbuild.layercache.registry.http;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.registry.RegistryConfig;
import dev.jbuild.layercache.registry.RegistryErrors;
import dev.jbuild.layercache.registry.RegistryException;
import dev.jbuild.layercache.registry.Timeouts;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.store.DigestMismatchException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/**
 * HTTP for one registry host on the JDK's client: picks the scheme (HTTPS; plain HTTP only for
 * insecure registries), trusts the configured CA, authenticates through {@link Authenticator},
 * follows redirects itself (so credentials never go to another host, such as a storage backend),
 * and turns every I/O failure into a {@link RegistryException} that names the host.
 */
final class Transport implements AutoCloseable {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_REDIRECTS = 5;

  final String host;
  private final String apiHost;
  private final boolean insecure;
  private final ExecutorService executor;
  private final HttpClient client;
  private final Timeouts timeouts;
  final Authenticator auth;
  private volatile URI base;

  /** A request. {@code body} null = no body; {@code replayable} = body may be sent twice. */
  record Req(
      String what,
      String method,
      URI uri,
      Map<String, String> headers,
      Supplier<HttpRequest.BodyPublisher> body,
      boolean replayable,
      Scope scope,
      Duration timeout) {
    Req {
      Objects.requireNonNull(what);
      Objects.requireNonNull(method);
      Objects.requireNonNull(uri);
      headers = Map.copyOf(headers);
      Objects.requireNonNull(scope);
    }
  }

  Transport(String host, RegistryConfig config, CredentialStore credentials) throws IOException {
    this.host = host;
    this.apiHost = host.equals("docker.io") ? "registry-1.docker.io" : host;
    this.insecure = config.insecure(host);
    this.timeouts = config.timeouts();
    this.executor = Executors.newVirtualThreadPerTaskExecutor();
    // a CA file is read now (a bad one is an error before any request); the JDK's own trust, and
    // the trust-all of an insecure registry that may well speak plain HTTP, are made at the first
    // TLS connection (LazySslContext)
    var ca = insecure ? Optional.<Path>empty() : config.caFile(host);
    SSLContext ssl =
        ca.isPresent()
            ? Tls.trusting(ca.get())
            : new LazySslContext(insecure ? Tls::trustAll : Transport::defaultSsl);
    var builder =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeouts.connect())
            .followRedirects(HttpClient.Redirect.NEVER)
            .executor(executor)
            .sslContext(ssl);
    if (ssl instanceof LazySslContext) {
      builder.sslParameters(LazySslContext.defaultParameters());
    }
    if (!config.proxies().isEmpty()) {
      builder.proxy(config.proxies().selector());
    }
    this.client = builder.build();
    this.auth = new Authenticator(host, credentials, this::send);
  }

  private static SSLContext defaultSsl() {
    try {
      return SSLContext.getDefault();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no default TLS context", e);
    }
  }

  HttpClient client() {
    return client;
  }

  Timeouts timeouts() {
    return timeouts;
  }

  /**
   * Sends a request and waits for the response headers at most the read timeout, counted from the
   * last progress of the request body ({@code sent}, bytes handed to the client; null for no body):
   * an upload that keeps moving is not cut, a server that never answers is. The body comes as an
   * {@link IdleTimeoutBody}. A wait that runs out cancels the exchange and throws {@link
   * IdleTimeoutBody.StalledException}.
   */
  HttpResponse<InputStream> send(HttpRequest request, AtomicLong sent) throws IOException {
    Duration idle = timeouts.read();
    var future = client.sendAsync(request, IdleTimeoutBody.handler(idle));
    long seen = sent == null ? 0 : sent.get();
    while (true) {
      try {
        return future.get(idle.toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        long now = sent == null ? 0 : sent.get();
        if (now == seen) {
          future.cancel(true);
          throw new IdleTimeoutBody.StalledException("no response for " + Timeouts.describe(idle));
        }
        seen = now;
      } catch (InterruptedException e) {
        future.cancel(true);
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted");
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof IOException io) {
          throw io;
        }
        throw new IOException(c.getMessage() == null ? c.toString() : c.getMessage(), c);
      }
    }
  }

  ExecutorService executor() {
    return executor;
  }

  /** {@code https://host/v2/} or, for an insecure registry that does not speak TLS, http. */
  URI base() throws IOException {
    URI b = base;
    if (b == null) {
      synchronized (this) {
        b = base;
        if (b == null) {
          b = decideBase();
          base = b;
        }
      }
    }
    return b;
  }

  private URI decideBase() throws IOException {
    URI https = URI.create("https://" + apiHost + "/v2/");
    if (!insecure) {
      return https;
    }
    // An insecure registry may speak plain HTTP or TLS. Ask GET /v2/ over plain HTTP first (no
    // credentials are sent): a registry answers 200 or 401; a TLS server answers 400 or hangs up,
    // and then HTTPS (without verification) is used, as Docker does.
    URI http = URI.create("http://" + apiHost + "/v2/");
    try {
      HttpResponse<InputStream> r =
          send(HttpRequest.newBuilder(http).timeout(PROBE_TIMEOUT).GET().build(), null);
      r.body().close();
      int status = r.statusCode();
      if (status == 200 || status == 401 || status == 403 || status == 404) {
        return http;
      }
      return https;
    } catch (ConnectException e) {
      if (http.getPort() < 0) {
        return https; // nothing on port 80: try 443
      }
      throw mapIoException(host, http.toString(), e);
    } catch (IdleTimeoutBody.StalledException e) {
      throw mapIoException(host, http.toString(), e);
    } catch (IOException e) {
      return https;
    }
  }

  /** Resolves a path like {@code library/debian/manifests/latest} against the base. */
  URI uri(String path) throws IOException {
    return base().resolve(path);
  }

  /**
   * Sends a request, answering a 401 once with credentials and following redirects. The caller owns
   * the returned response body and must close it.
   */
  HttpResponse<InputStream> exchange(Req req) throws IOException {
    URI uri = req.uri();
    String method = req.method();
    boolean answered = false;
    boolean bodySent = false;
    for (int redirects = 0; ; ) {
      boolean sameHost = Objects.equals(uri.getRawAuthority(), base().getRawAuthority());
      var b = HttpRequest.newBuilder(uri);
      req.headers().forEach(b::header);
      if (sameHost) {
        auth.header(req.scope()).ifPresent(h -> b.header("Authorization", h));
      }
      AtomicLong sent = null;
      if (req.body() != null && method.equals(req.method())) {
        if (bodySent && !req.replayable()) {
          throw RegistryErrors.protocol(
              host,
              req.what()
                  + ": the registry asked to send the upload again, which a stream "
                  + "cannot do");
        }
        sent = new AtomicLong();
        b.method(method, new CountingPublisher(req.body().get(), sent));
        bodySent = true;
      } else {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      }
      HttpResponse<InputStream> response;
      try {
        response = send(b.build(), sent);
      } catch (IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
          if (t instanceof DigestMismatchException corrupt) {
            throw corrupt; // the upload's source (a stored blob) is corrupt, not the network
          }
        }
        throw mapIoException(host, uri.toString(), e);
      }
      int status = response.statusCode();
      if (status == 401 && sameHost) {
        String challenge = response.headers().firstValue("WWW-Authenticate").orElse(null);
        drain(response);
        if (answered) {
          throw auth.failure();
        }
        auth.answer(challenge, req.scope());
        answered = true;
        continue;
      }
      if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        String location = response.headers().firstValue("Location").orElse(null);
        drain(response);
        if (location == null) {
          throw RegistryErrors.protocol(host, req.what() + ": redirect without a Location");
        }
        if (++redirects > MAX_REDIRECTS) {
          throw RegistryErrors.protocol(host, req.what() + ": too many redirects");
        }
        uri = uri.resolve(location);
        if (status == 303) {
          method = "GET";
        }
        continue;
      }
      return response;
    }
  }

  /** A request without a body (so it may be sent again), with the transport's read timeout. */
  HttpResponse<InputStream> exchange(
      String what, String method, URI uri, Map<String, String> headers, Scope scope)
      throws IOException {
    return exchange(new Req(what, method, uri, headers, null, true, scope, null));
  }

  /** The error for {@code r}, an answer {@code what} did not want; its body is drained. */
  RegistryException failure(
      HttpResponse<InputStream> r, String repository, String what, String action) {
    int status = r.statusCode();
    String text = drain(r);
    String code = errorCode(text);
    if (status == 403) {
      return RegistryErrors.denied(host, repository, action);
    }
    if (status == 401) {
      return auth.failure();
    }
    if (status == 404 && code.equals("NAME_UNKNOWN")) {
      return RegistryErrors.repositoryNotFound(host, repository);
    }
    if (status == 400 && code.equals("DIGEST_INVALID")) {
      return new RegistryException(
          RegistryException.Kind.DIGEST_MISMATCH,
          "registry " + host + " rejected " + what + ": the content does not match its digest");
    }
    return RegistryErrors.server(host, what, status, text);
  }

  /** Reads and closes a response body (bounded), returning its text for error messages. */
  static String drain(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      return errorText(in.readNBytes(64 * 1024));
    } catch (IOException e) {
      return "";
    }
  }

  /** The registry's error text: {@code CODE: message} of its errors JSON, or the raw text. */
  static String errorText(byte[] body) {
    if (body.length == 0) {
      return "";
    }
    try {
      JsonObject o = Json.parseObject(body);
      JsonArray errors = o.array("errors");
      if (errors != null && !errors.isEmpty() && errors.get(0) instanceof JsonObject e) {
        String code = e.string("code", "");
        String message = e.string("message", "");
        return code.isEmpty() ? message : message.isEmpty() ? code : code + ": " + message;
      }
      String details = o.string("details", o.string("message", ""));
      if (!details.isEmpty()) {
        return details;
      }
    } catch (RuntimeException e) {
      // not JSON
    }
    String text = new String(body, StandardCharsets.UTF_8).strip();
    int nl = text.indexOf('\n');
    if (nl > 0) {
      text = text.substring(0, nl);
    }
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  /** The registry error code of a body ({@code MANIFEST_UNKNOWN}, ...), or "". */
  static String errorCode(String errorText) {
    int colon = errorText.indexOf(':');
    String code = colon > 0 ? errorText.substring(0, colon) : errorText;
    return code.matches("[A-Z_]+") ? code : "";
  }

  static RegistryException mapIoException(String host, String url, IOException e) {
    if (e instanceof RegistryException r) {
      return r;
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IdleTimeoutBody.StalledException) {
        return RegistryErrors.stalled(host, url, t.getMessage());
      }
      if (t instanceof SSLHandshakeException || t instanceof SSLException) {
        return RegistryErrors.tls(host, tlsDetail(t.getMessage()));
      }
      if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
        return RegistryErrors.unreachable(host, url, "unknown host");
      }
      if (t instanceof HttpTimeoutException) {
        return RegistryErrors.unreachable(host, url, "timed out");
      }
      if (t instanceof ConnectException) {
        String m = String.valueOf(t.getMessage());
        if (m.equals("null") || m.toLowerCase(java.util.Locale.ROOT).contains("refused")) {
          return RegistryErrors.connectionRefused(host, url);
        }
        return RegistryErrors.unreachable(host, url, m);
      }
    }
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return RegistryErrors.unreachable(host, url, m);
  }

  private static String tlsDetail(String message) {
    String m = message == null ? "" : message;
    if (m.contains("PKIX") || m.contains("unable to find valid certification path")) {
      return "the certificate is not trusted (" + shorten(m) + ")";
    }
    if (m.contains("No subject alternative") || m.contains("No name matching")) {
      return "the certificate does not match the host name (" + shorten(m) + ")";
    }
    if (m.contains("Unsupported or unrecognized SSL message")) {
      return "the server does not speak TLS (plain HTTP? then mark it \"insecure\")";
    }
    return shorten(m);
  }

  private static String shorten(String m) {
    int colon = m.indexOf(": ");
    String s = m;
    if (m.startsWith("PKIX path building failed") && colon > 0) {
      s = "PKIX path building failed";
    }
    return s.length() > 160 ? s.substring(0, 160) + "..." : s;
  }

  static List<String> manifestAccept() {
    return List.of(
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json");
  }

  @Override
  public void close() {
    client.shutdownNow();
    executor.shutdownNow();
  }
}
