package dev.jbuild.layercache.registry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.registry.RegistryConfig;
import dev.jbuild.layercache.registry.RegistryException;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.registry.auth.RegistryCredential;
import dev.jbuild.testing.LoopbackHttpServer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 finding 11: a Bearer challenge naming a plain-HTTP realm on another host does not get
 * the registry's Basic credentials (Docker sends them); the registry's own host and an HTTPS realm
 * do. The registry is reached as 127.0.0.1, the token service as {@code localhost} (another host
 * name) or as 127.0.0.1 (the same host).
 */
class TokenRealmTest {
  @AutoClose private LoopbackHttpServer registry;
  @AutoClose private LoopbackHttpServer tokens;
  private final List<String> tokenAuthorizations = new CopyOnWriteArrayList<>();
  private volatile String realm;

  @BeforeEach
  void start() throws Exception {
    tokens =
        LoopbackHttpServer.start(
            "/token",
            x -> {
              tokenAuthorizations.add(
                  String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
              byte[] body = "{\"token\":\"t0k\"}".getBytes(StandardCharsets.UTF_8);
              x.sendResponseHeaders(200, body.length);
              x.getResponseBody().write(body);
              x.close();
            });
    registry =
        LoopbackHttpServer.start(
            "/v2/",
            x -> {
              if (!"Bearer t0k".equals(x.getRequestHeaders().getFirst("Authorization"))) {
                x.getResponseHeaders()
                    .add("WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"reg\"");
                x.sendResponseHeaders(401, -1);
              } else {
                x.sendResponseHeaders(200, 2);
                x.getResponseBody().write("{}".getBytes(StandardCharsets.UTF_8));
              }
              x.close();
            });
  }

  private HttpRegistry client() throws Exception {
    String host = registry.host();
    return new HttpRegistry(
        host,
        RegistryConfig.empty(),
        CredentialStore.of(Map.of(host, RegistryCredential.basic("alice", "s3cret"))));
  }

  @Test
  void plainHttpRealmOnAnotherHostGetsNoCredentials() throws Exception {
    realm = "http://localhost:" + tokens.port() + "/token";
    try (HttpRegistry r = client()) {
      var e = assertThrows(RegistryException.class, r::ping);
      assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
      assertTrue(e.getMessage().contains("a plain-HTTP realm on another host"), e.getMessage());
      assertTrue(e.getMessage().contains(realm), e.getMessage());
    }
    assertEquals(List.of(), tokenAuthorizations); // never asked, let alone with the password
  }

  @Test
  void theRegistrysOwnHostGetsThem() throws Exception {
    realm = "http://127.0.0.1:" + tokens.port() + "/token";
    try (HttpRegistry r = client()) {
      r.ping();
    }
    assertEquals(1, tokenAuthorizations.size());
    assertTrue(tokenAuthorizations.get(0).startsWith("Basic "), tokenAuthorizations.toString());
  }
}
