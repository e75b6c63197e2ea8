package dev.jbuild.testing;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * A tiny token service for {@link LocalRegistry}'s bearer-token variant (the distribution token
 * flow Docker Hub uses): {@code GET /token?service=S&scope=repository:NAME:ACTIONS} with Basic
 * credentials answers {@code {"token": JWT}}, an ES256 JWT carrying the certificate ({@code x5c})
 * that the registry trusts through its {@code rootcertbundle}. Wrong credentials get 401; no
 * credentials get a token without access.
 */
final class TokenServer implements AutoCloseable {
  static final String SERVICE = "jbuild-test-registry";
  static final String ISSUER = "jbuild-test-issuer";

  private final LoopbackHttpServer server;
  private final PrivateKey key;
  private final String x5c;
  private final LocalRegistry.BasicAuth auth;

  TokenServer(Path keyPem, Path certPem, LocalRegistry.BasicAuth auth) throws IOException {
    this.auth = auth;
    try {
      String pem = Files.readString(keyPem);
      String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      this.key =
          KeyFactory.getInstance("EC")
              .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
      try (var in = Files.newInputStream(certPem)) {
        var cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
        this.x5c = Base64.getEncoder().encodeToString(cert.getEncoded());
      }
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot load the token signing key: " + e.getMessage(), e);
    }
    server = LoopbackHttpServer.start("/token", this::handle);
  }

  String realm() {
    return "http://" + server.host() + "/token";
  }

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      String user = null;
      String header = x.getRequestHeaders().getFirst("Authorization");
      if (header != null && header.startsWith("Basic ")) {
        String[] up =
            new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8)
                .split(":", 2);
        if (up.length != 2 || !up[0].equals(auth.username()) || !up[1].equals(auth.password())) {
          x.sendResponseHeaders(401, -1);
          return;
        }
        user = up[0];
      }
      var access = new ArrayList<String>();
      String query = x.getRequestURI().getRawQuery();
      if (user != null && query != null) {
        for (String kv : query.split("&")) {
          if (kv.startsWith("scope=")) {
            String scope = URLDecoder.decode(kv.substring(6), StandardCharsets.UTF_8);
            String[] parts = scope.split(":");
            if (parts.length == 3 && parts[0].equals("repository")) {
              var actions = new ArrayList<String>();
              for (String a : parts[2].split(",")) {
                actions.add("\"" + a + "\"");
              }
              access.add(
                  "{\"type\":\"repository\",\"name\":\""
                      + parts[1]
                      + "\",\"actions\":["
                      + String.join(",", actions)
                      + "]}");
            }
          }
        }
      }
      String token = jwt(user == null ? "" : user, access);
      byte[] body =
          ("{\"token\":\"" + token + "\",\"expires_in\":300}").getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().add("Content-Type", "application/json");
      x.sendResponseHeaders(200, body.length);
      x.getResponseBody().write(body);
    }
  }

  private String jwt(String subject, List<String> access) throws IOException {
    long now = System.currentTimeMillis() / 1000;
    String header = "{\"typ\":\"JWT\",\"alg\":\"ES256\",\"x5c\":[\"" + x5c + "\"]}";
    String claims =
        "{\"iss\":\""
            + ISSUER
            + "\",\"sub\":\""
            + subject
            + "\",\"aud\":\""
            + SERVICE
            + "\",\"exp\":"
            + (now + 300)
            + ",\"nbf\":"
            + (now - 10)
            + ",\"iat\":"
            + now
            + ",\"jti\":\""
            + UUID.randomUUID()
            + "\",\"access\":["
            + String.join(",", access)
            + "]}";
    var b64 = Base64.getUrlEncoder().withoutPadding();
    String signingInput =
        b64.encodeToString(header.getBytes(StandardCharsets.UTF_8))
            + "."
            + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    try {
      Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
      s.initSign(key);
      s.update(signingInput.getBytes(StandardCharsets.UTF_8));
      return signingInput + "." + b64.encodeToString(s.sign());
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
