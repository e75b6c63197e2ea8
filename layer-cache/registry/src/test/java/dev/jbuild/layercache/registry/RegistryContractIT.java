package dev.jbuild.layercache.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.registry.auth.RegistryCredential;
import dev.jbuild.layercache.registry.http.HttpRegistry;
import dev.jbuild.testing.LocalRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract of {@link Registry} against real registries (docker-registry 2.8): plain HTTP, basic
 * auth, and TLS with a private CA. Whatever implements the interface must pass these.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryContractIT {
  private LocalRegistry plain;
  private LocalRegistry auth;
  private LocalRegistry tls;
  private LocalRegistry token;

  @BeforeAll
  void start() {
    plain = LocalRegistry.start();
    auth = LocalRegistry.start(LocalRegistry.Options.plain().withAuth("alice", "s3cret"));
    tls = LocalRegistry.start(LocalRegistry.Options.plain().withTls().withAuth("bob", "pw"));
    token = LocalRegistry.start(LocalRegistry.Options.plain().withTokenAuth("carol", "pw2"));
  }

  @AfterAll
  void stop() {
    for (var r : new LocalRegistry[] {plain, auth, tls, token}) {
      if (r != null) {
        r.close();
      }
    }
  }

  List<LocalRegistry> registries() {
    return List.of(plain, auth, tls, token);
  }

  /** A client for the harness registry with the right credentials and CA. */
  static Registry client(LocalRegistry r) throws Exception {
    return new HttpRegistry(r.host(), config(r), credentials(r));
  }

  static RegistryConfig config(LocalRegistry r) {
    RegistryConfig c = RegistryConfig.empty();
    if (r.caCertificate().isPresent()) {
      c =
          c.withHost(
              r.host(), new RegistryConfig.HostConfig(List.of(), false, r.caCertificate().get()));
    }
    return c;
  }

  static CredentialStore credentials(LocalRegistry r) {
    return r.auth()
        .map(
            a ->
                CredentialStore.of(
                    Map.of(r.host(), RegistryCredential.basic(a.username(), a.password()))))
        .orElse(CredentialStore.none());
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("registries")
  void blobRoundTripAndMount(LocalRegistry r) throws Exception {
    try (Registry reg = client(r)) {
      reg.ping();
      byte[] data = random(300_000, 1);
      Digest d = Digest.sha256(data);
      assertTrue(reg.blobSize("contract/a", d).isEmpty());
      var progress = new AtomicLong();
      reg.putBlob(
          "contract/a", d, data.length, Registry.BlobContent.ofBytes(data), progress::addAndGet);
      assertEquals(data.length, progress.get());
      assertEquals(data.length, reg.blobSize("contract/a", d).getAsLong());
      var out = new ByteArrayOutputStream();
      reg.getBlob("contract/a", d, data.length, out, n -> {});
      assertArrayEquals(data, out.toByteArray());

      assertTrue(reg.mountBlob("contract/b", d, "contract/a"));
      assertEquals(data.length, reg.blobSize("contract/b", d).getAsLong());
      Digest unknown = Digest.sha256("not there".getBytes(StandardCharsets.UTF_8));
      assertFalse(reg.mountBlob("contract/c", unknown, "contract/a"));
      var e =
          assertThrows(
              RegistryException.class,
              () -> reg.getBlob("contract/a", unknown, -1, new ByteArrayOutputStream(), n -> {}));
      assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
    }
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("registries")
  void streamingUploadComputesTheDigest(LocalRegistry r) throws Exception {
    try (Registry reg = client(r)) {
      byte[] data = random(3_000_000, 2);
      Registry.Uploaded up =
          reg.putBlobStreaming(
              "contract/stream",
              out -> {
                for (int i = 0; i < data.length; i += 77_777) {
                  out.write(data, i, Math.min(77_777, data.length - i));
                }
              },
              n -> {});
      assertEquals(Digest.sha256(data), up.digest());
      assertEquals(data.length, up.size());
      assertEquals(data.length, reg.blobSize("contract/stream", up.digest()).getAsLong());
    }
  }

  @ParameterizedTest(autoCloseArguments = false)
  @MethodSource("registries")
  void manifestsByTagAndDigestKeepTheirBytes(LocalRegistry r) throws Exception {
    try (Registry reg = client(r)) {
      byte[] config =
          "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
              .getBytes(StandardCharsets.UTF_8);
      Digest cd = Digest.sha256(config);
      reg.putBlob("contract/m", cd, config.length, Registry.BlobContent.ofBytes(config), n -> {});
      // unusual but valid formatting: the registry must keep these exact bytes
      String json =
          "{ \"schemaVersion\": 2,\n  \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\","
              + " \"config\": {\"mediaType\": \"application/vnd.oci.image.config.v1+json\", \"digest\": \""
              + cd
              + "\", \"size\": "
              + config.length
              + "}, \"layers\": [], \"annotations\": {\"x\": \"y\"} }";
      RawManifest m =
          RawManifest.of(
              "application/vnd.oci.image.manifest.v1+json", json.getBytes(StandardCharsets.UTF_8));
      assertEquals(m.digest(), reg.putManifest("contract/m", "v1", m));
      RawManifest byTag = reg.getManifest("contract/m", "v1").orElseThrow();
      assertEquals(m, byTag);
      RawManifest byDigest = reg.getManifest("contract/m", m.digest().toString()).orElseThrow();
      assertEquals(m, byDigest);
      var head = reg.headManifest("contract/m", "v1").orElseThrow();
      assertEquals(m.digest(), head.digest());
      assertEquals(m.size(), head.size());
      assertEquals(m.mediaType(), head.mediaType());
      assertTrue(reg.getManifest("contract/m", "nope").isEmpty());
      assertTrue(reg.getManifest("contract/never-pushed", "latest").isEmpty());
      assertTrue(reg.headManifest("contract/m", "nope").isEmpty());
    }
  }

  @Test
  void wrongPasswordIsRejectedWithAClearMessage() throws Exception {
    var creds = CredentialStore.of(Map.of(auth.host(), RegistryCredential.basic("alice", "wrong")));
    try (Registry reg = new HttpRegistry(auth.host(), RegistryConfig.empty(), creds)) {
      var e = assertThrows(RegistryException.class, reg::ping);
      assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
      assertEquals(RegistryErrors.authRejected(auth.host(), "alice").getMessage(), e.getMessage());
    }
  }

  @Test
  void bearerTokensWrongPasswordAndAnonymous() throws Exception {
    var wrong = CredentialStore.of(Map.of(token.host(), RegistryCredential.basic("carol", "nope")));
    try (Registry reg = new HttpRegistry(token.host(), RegistryConfig.empty(), wrong)) {
      var e = assertThrows(RegistryException.class, () -> reg.getManifest("t/x", "latest"));
      assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
      assertEquals(RegistryErrors.authRejected(token.host(), "carol").getMessage(), e.getMessage());
    }
    try (Registry reg =
        new HttpRegistry(token.host(), RegistryConfig.empty(), CredentialStore.none())) {
      var e = assertThrows(RegistryException.class, () -> reg.getManifest("t/x", "latest"));
      assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
      assertEquals(RegistryErrors.authRequired(token.host()).getMessage(), e.getMessage());
    }
  }

  @Test
  void missingCredentialsSayLogin() throws Exception {
    try (Registry reg =
        new HttpRegistry(auth.host(), RegistryConfig.empty(), CredentialStore.none())) {
      var e = assertThrows(RegistryException.class, () -> reg.getManifest("x/y", "latest"));
      assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
      assertEquals(RegistryErrors.authRequired(auth.host()).getMessage(), e.getMessage());
    }
  }

  @Test
  void untrustedCertificateIsATlsError() throws Exception {
    var config =
        RegistryConfig.empty()
            .withHost(tls.host(), new RegistryConfig.HostConfig(List.of(), false, null));
    try (Registry reg = new HttpRegistry(tls.host(), config, credentials(tls))) {
      var e = assertThrows(RegistryException.class, reg::ping);
      assertEquals(RegistryException.Kind.TLS, e.kind());
      assertTrue(e.getMessage().contains("not trusted"), e.getMessage());
    }
  }

  @Test
  void loopbackRegistriesAreInsecureByDefault() throws Exception {
    // no CA configured: a loopback TLS registry is used without verification, as Docker does
    try (Registry reg = new HttpRegistry(tls.host(), RegistryConfig.empty(), credentials(tls))) {
      assertDoesNotThrow(reg::ping, "TLS registry on loopback without a CA");
    }
    try (Registry reg =
        new HttpRegistry(plain.host(), RegistryConfig.empty(), CredentialStore.none())) {
      assertDoesNotThrow(reg::ping, "plain-HTTP registry on loopback");
    }
  }

  @Test
  void connectionRefused() throws Exception {
    int port;
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String host = "127.0.0.1:" + port;
    try (Registry reg = new HttpRegistry(host, RegistryConfig.empty(), CredentialStore.none())) {
      var e = assertThrows(RegistryException.class, () -> reg.getManifest("a", "latest"));
      assertEquals(RegistryException.Kind.CONNECTION, e.kind());
      assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
    }
  }
}
