package dev.jbuild.layercache.registry.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.registry.RegistryConfig;
import dev.jbuild.layercache.registry.RegistryErrors;
import dev.jbuild.layercache.registry.RegistryException;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.testing.LoopbackHttpServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tiny lying registry on 127.0.0.1: it answers every blob and manifest with bytes that do not
 * match the digest asked for. The client must notice and say so.
 */
class MaliciousRegistryTest {
  private static final byte[] GOOD = "the real content".getBytes(StandardCharsets.UTF_8);
  private static final byte[] EVIL = "something else!!".getBytes(StandardCharsets.UTF_8);
  @AutoClose private LoopbackHttpServer server;
  private String host;

  @BeforeEach
  void start() throws Exception {
    server =
        LoopbackHttpServer.start(
            "/v2/",
            exchange -> {
              String path = exchange.getRequestURI().getPath();
              byte[] body = path.equals("/v2/") ? "{}".getBytes(StandardCharsets.UTF_8) : EVIL;
              if (path.contains("/manifests/")) {
                exchange
                    .getResponseHeaders()
                    .add("Content-Type", "application/vnd.oci.image.manifest.v1+json");
                exchange
                    .getResponseHeaders()
                    .add("Docker-Content-Digest", Digest.sha256(GOOD).toString());
              }
              exchange.sendResponseHeaders(200, body.length);
              try (var out = exchange.getResponseBody()) {
                out.write(body);
              }
            });
    host = server.host();
  }

  @Test
  void blobWithWrongBytesIsRejected() throws Exception {
    Digest good = Digest.sha256(GOOD);
    try (var reg = new HttpRegistry(host, RegistryConfig.empty(), CredentialStore.none())) {
      var e =
          assertThrows(
              RegistryException.class,
              () ->
                  reg.getBlob(
                      "evil/repo", good, GOOD.length, new ByteArrayOutputStream(), n -> {}));
      assertEquals(RegistryException.Kind.DIGEST_MISMATCH, e.kind());
      assertEquals(
          RegistryErrors.digestMismatch(host, "evil/repo", good, Digest.sha256(EVIL)).getMessage(),
          e.getMessage());
    }
  }

  @Test
  void blobWithWrongBytesIsRejectedWhenTheSinkHashes() throws Exception {
    // a store BlobWriter hashes what it is given: the client verifies with that digest
    Digest good = Digest.sha256(GOOD);
    try (var reg = new HttpRegistry(host, RegistryConfig.empty(), CredentialStore.none())) {
      var sink = new dev.jbuild.layercache.io.HashingOutputStream(new ByteArrayOutputStream());
      var e =
          assertThrows(
              RegistryException.class,
              () -> reg.getBlob("evil/repo", good, GOOD.length, sink, n -> {}));
      assertEquals(RegistryException.Kind.DIGEST_MISMATCH, e.kind());
    }
  }

  @Test
  void blobLongerThanDescribedIsRejected() throws Exception {
    Digest good = Digest.sha256(GOOD);
    try (var reg = new HttpRegistry(host, RegistryConfig.empty(), CredentialStore.none())) {
      var e =
          assertThrows(
              RegistryException.class,
              () -> reg.getBlob("evil/repo", good, 3, new ByteArrayOutputStream(), n -> {}));
      assertEquals(RegistryException.Kind.DIGEST_MISMATCH, e.kind());
      assertTrue(e.getMessage().contains("should be 3 bytes"), e.getMessage());
    }
  }

  @Test
  void manifestNotMatchingItsDigestIsRejected() throws Exception {
    try (var reg = new HttpRegistry(host, RegistryConfig.empty(), CredentialStore.none())) {
      var byTag = assertThrows(RegistryException.class, () -> reg.getManifest("evil/repo", "1"));
      assertEquals(RegistryException.Kind.DIGEST_MISMATCH, byTag.kind());
      var byDigest =
          assertThrows(
              RegistryException.class,
              () -> reg.getManifest("evil/repo", Digest.sha256(GOOD).toString()));
      assertEquals(RegistryException.Kind.DIGEST_MISMATCH, byDigest.kind());
    }
  }
}
