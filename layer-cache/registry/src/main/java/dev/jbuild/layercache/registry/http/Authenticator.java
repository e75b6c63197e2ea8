package dev.jbuild.layercache.registry.http;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.registry.RegistryConfig;
import dev.jbuild.layercache.registry.RegistryErrors;
import dev.jbuild.layercache.registry.RegistryException;
import dev.jbuild.layercache.registry.auth.Challenge;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.registry.auth.RegistryCredential;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The authentication state of one registry host: Basic (credentials sent with every request once
 * the registry asked) or Bearer (the token flow of the distribution spec: a token per scope, from
 * the realm the challenge names, cached until it expires). Credentials are looked up only when a
 * registry first asks for them.
 */
final class Authenticator {
  private static final Duration MIN_TOKEN_LIFETIME = Duration.ofSeconds(60);

  private final String host;
  private final CredentialStore credentials;
  private final Sender sender;
  private volatile Challenge challenge;
  private volatile Optional<RegistryCredential> credential;
  private final ConcurrentHashMap<String, Token> tokens = new ConcurrentHashMap<>();

  private record Token(String value, long expiresAtNanos) {
    boolean valid() {
      return System.nanoTime() < expiresAtNanos;
    }
  }

  /** Sends a token request (the transport's timeouts apply). */
  @FunctionalInterface
  interface Sender {
    HttpResponse<InputStream> send(HttpRequest request, AtomicLong sent) throws IOException;
  }

  Authenticator(String host, CredentialStore credentials, Sender sender) {
    this.host = host;
    this.credentials = credentials;
    this.sender = sender;
  }

  /** The Authorization header to send preemptively, if the registry already asked for one. */
  Optional<String> header(Scope scope) throws IOException {
    Challenge c = challenge;
    if (c == null) {
      return Optional.empty();
    }
    if (c.isBasic()) {
      return credential().map(Authenticator::basic);
    }
    Token t = tokens.get(scope.key());
    return t != null && t.valid() ? Optional.of("Bearer " + t.value()) : Optional.empty();
  }

  /**
   * Answers a 401 challenge: returns the header to retry with, or throws when there is nothing to
   * retry with (no credentials for a Basic registry).
   */
  String answer(String wwwAuthenticate, Scope scope) throws IOException {
    Challenge c =
        Challenge.parse(wwwAuthenticate)
            .orElseThrow(
                () ->
                    RegistryErrors.protocol(
                        host, "HTTP 401 without a WWW-Authenticate header: cannot authenticate"));
    challenge = c;
    if (c.isBasic()) {
      return credential().map(Authenticator::basic).orElseThrow(() -> failure());
    }
    if (!c.isBearer()) {
      throw RegistryErrors.protocol(host, "unsupported authentication scheme " + c.scheme());
    }
    Token t = fetchToken(c, scope);
    tokens.put(scope.key(), t);
    return "Bearer " + t.value();
  }

  /** The error to report when the registry still says 401 after we answered. */
  RegistryException failure() {
    try {
      Optional<RegistryCredential> c = credential();
      return c.isPresent()
          ? RegistryErrors.authRejected(host, c.get().username())
          : RegistryErrors.authRequired(host);
    } catch (IOException e) {
      return new RegistryException(RegistryException.Kind.UNAUTHORIZED, e.getMessage(), e);
    }
  }

  private Optional<RegistryCredential> credential() throws IOException {
    Optional<RegistryCredential> c = credential;
    if (c == null) {
      synchronized (this) {
        c = credential;
        if (c == null) {
          c = credentials.find(host);
          credential = c;
        }
      }
    }
    return c;
  }

  private Token fetchToken(Challenge c, Scope scope) throws IOException {
    String realm =
        c.param("realm")
            .orElseThrow(() -> RegistryErrors.protocol(host, "Bearer challenge without a realm"));
    List<String> scopes = new ArrayList<>(scope.tokenScopes());
    c.param("scope")
        .ifPresent(
            s -> {
              for (String one : s.split(" ")) {
                if (!one.isBlank() && !scopes.contains(one)) {
                  scopes.add(one);
                }
              }
            });
    var query = new StringBuilder();
    c.param("service").ifPresent(s -> append(query, "service", s));
    for (String s : scopes) {
      append(query, "scope", s);
    }
    Optional<RegistryCredential> cred = credential();
    URI realmUri;
    try {
      realmUri = URI.create(realm);
    } catch (IllegalArgumentException e) {
      throw RegistryErrors.protocol(host, "invalid Bearer realm " + realm);
    }
    if (realmUri.getScheme() == null
        || !List.of("http", "https").contains(realmUri.getScheme().toLowerCase(Locale.ROOT))
        || realmUri.getHost() == null) {
      throw RegistryErrors.protocol(host, "invalid Bearer realm " + realm);
    }
    if (cred.isPresent() && !credentialsMayGoTo(realmUri)) {
      // Docker sends them anyway; a registry must not be able to send them elsewhere in clear
      throw RegistryErrors.insecureRealm(host, realm);
    }
    HttpRequest request;
    if (cred.isPresent() && cred.get().identityToken()) {
      // OAuth2 refresh-token grant (Docker's identitytoken)
      var form = new StringBuilder(query);
      append(form, "grant_type", "refresh_token");
      append(form, "refresh_token", cred.get().secret());
      append(form, "client_id", "jbuild");
      request =
          HttpRequest.newBuilder(URI.create(realm))
              .timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(form.toString()))
              .build();
    } else {
      URI uri = URI.create(realm + (realm.contains("?") ? "&" : "?") + query);
      var b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
      cred.ifPresent(x -> b.header("Authorization", basic(x)));
      request = b.build();
    }
    HttpResponse<InputStream> response;
    try {
      response = sender.send(request, null);
    } catch (IOException e) {
      throw Transport.mapIoException(host + " token service", realm, e);
    }
    byte[] body;
    try (InputStream in = response.body()) {
      body = in.readNBytes(1 << 20);
    }
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      throw cred.isPresent()
          ? RegistryErrors.authRejected(host, cred.get().username())
          : RegistryErrors.authRequired(host);
    }
    if (response.statusCode() != 200) {
      throw RegistryErrors.server(
          host,
          "a token request (" + realm + ")",
          response.statusCode(),
          Transport.errorText(body));
    }
    JsonObject json;
    try {
      json = Json.parseObject(body);
    } catch (RuntimeException e) {
      throw RegistryErrors.protocol(host, "token service sent invalid JSON: " + e.getMessage());
    }
    String token = json.string("token");
    if (token == null || token.isEmpty()) {
      token = json.string("access_token");
    }
    if (token == null || token.isEmpty()) {
      throw RegistryErrors.protocol(host, "token service answered without a token");
    }
    Long expiresIn = json.longValue("expires_in");
    Duration life =
        expiresIn == null || expiresIn < MIN_TOKEN_LIFETIME.toSeconds()
            ? MIN_TOKEN_LIFETIME
            : Duration.ofSeconds(expiresIn);
    // renew a little early
    return new Token(token, System.nanoTime() + life.minusSeconds(10).toNanos());
  }

  /**
   * Credentials go to a token realm only over HTTPS, or to the registry's own host (the one they
   * were configured for, whatever its scheme).
   */
  private boolean credentialsMayGoTo(URI realm) {
    if (realm.getScheme().equalsIgnoreCase("https")) {
      return true;
    }
    String realmHost = realm.getHost().toLowerCase(Locale.ROOT);
    String registryHost = RegistryConfig.stripPort(host).toLowerCase(Locale.ROOT);
    return realmHost.equals(registryHost)
        || (realmHost.startsWith("[") && realmHost.equals("[" + registryHost + "]"));
  }

  private static void append(StringBuilder q, String key, String value) {
    if (!q.isEmpty()) {
      q.append('&');
    }
    q.append(key).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
  }

  private static String basic(RegistryCredential c) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((c.username() + ":" + c.secret()).getBytes(StandardCharsets.UTF_8));
  }
}
