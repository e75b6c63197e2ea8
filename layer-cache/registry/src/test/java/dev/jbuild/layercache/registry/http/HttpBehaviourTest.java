package dev.jbuild.layercache.registry.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.registry.RegistryConfig;
import dev.jbuild.layercache.registry.RegistryErrors;
import dev.jbuild.layercache.registry.RegistryException;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.registry.auth.RegistryCredential;
import dev.jbuild.testing.LoopbackHttpServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP behaviour a real registry rarely shows: 403, server errors with an errors body, and blob
 * redirects to another host (a storage backend), which must not receive the credentials.
 */
class HttpBehaviourTest {
  private static final byte[] BLOB = "blob content".getBytes(StandardCharsets.UTF_8);
  @AutoClose private LoopbackHttpServer registry;
  @AutoClose private LoopbackHttpServer storage;
  private String host;
  private final AtomicReference<String> storageSawAuthorization = new AtomicReference<>("unset");

  @BeforeEach
  void start() throws Exception {
    storage =
        LoopbackHttpServer.start(
            "/bucket/",
            x -> {
              storageSawAuthorization.set(x.getRequestHeaders().getFirst("Authorization"));
              x.sendResponseHeaders(200, BLOB.length);
              try (var o = x.getResponseBody()) {
                o.write(BLOB);
              }
            });
    registry =
        LoopbackHttpServer.start(
            "/v2/",
            x -> {
              String path = x.getRequestURI().getPath();
              if (x.getRequestHeaders().getFirst("Authorization") == null) {
                x.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"test\"");
                x.sendResponseHeaders(401, -1);
                x.close();
                return;
              }
              if (path.contains("/forbidden/")) {
                x.sendResponseHeaders(403, -1);
              } else if (path.contains("/broken/")) {
                byte[] body =
                    "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"disk full\"}]}"
                        .getBytes(StandardCharsets.UTF_8);
                x.sendResponseHeaders(500, body.length);
                x.getResponseBody().write(body);
              } else if (path.contains("/blobs/")) {
                x.getResponseHeaders()
                    .add("Location", "http://127.0.0.1:" + storage.port() + "/bucket/b?sig=1");
                x.sendResponseHeaders(307, -1);
              } else {
                x.sendResponseHeaders(200, 2);
                x.getResponseBody().write("{}".getBytes(StandardCharsets.UTF_8));
              }
              x.close();
            });
    host = registry.host();
  }

  private HttpRegistry client() throws Exception {
    return new HttpRegistry(
        host,
        RegistryConfig.empty(),
        CredentialStore.of(Map.of(host, RegistryCredential.basic("u", "p"))));
  }

  @Test
  void redirectedBlobsDoNotCarryCredentialsToAnotherHost() throws Exception {
    try (var reg = client()) {
      var out = new ByteArrayOutputStream();
      reg.getBlob("a/b", Digest.sha256(BLOB), BLOB.length, out, n -> {});
      assertArrayEquals(BLOB, out.toByteArray());
      assertNull(storageSawAuthorization.get());
    }
  }

  @Test
  void forbiddenIsDenied() throws Exception {
    try (var reg = client()) {
      var e = assertThrows(RegistryException.class, () -> reg.getManifest("forbidden/x", "1"));
      assertEquals(RegistryException.Kind.DENIED, e.kind());
      assertEquals(RegistryErrors.denied(host, "forbidden/x", "pull").getMessage(), e.getMessage());
    }
  }

  @Test
  void serverErrorsQuoteTheRegistry() throws Exception {
    try (var reg = client()) {
      var e = assertThrows(RegistryException.class, () -> reg.getManifest("broken/x", "1"));
      assertEquals(RegistryException.Kind.SERVER, e.kind());
      assertTrue(e.getMessage().contains("HTTP 500"), e.getMessage());
      assertTrue(e.getMessage().contains("UNKNOWN: disk full"), e.getMessage());
    }
  }
}
