package dev.jbuild.layercache.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.LoopbackHttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A registry that fails a blob download a few times with 503: the pull retries, then succeeds. */
class PullerRetryTest {
  @TempDir Path tmp;
  @AutoClose private LoopbackHttpServer server;
  private String host;
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final Map<String, byte[]> served = new HashMap<>();
  private Digest layer;

  @BeforeEach
  void start() throws Exception {
    byte[] layerBytes =
        "not really a tar, the puller does not care".getBytes(StandardCharsets.UTF_8);
    layer = Digest.sha256(layerBytes);
    byte[] config =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\""
                + layer
                + "\"]},\"history\":[{\"created_by\":\"x\"}]}")
            .getBytes(StandardCharsets.UTF_8);
    Digest configDigest = Digest.sha256(config);
    byte[] manifest =
        ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                + "\"digest\":\""
                + configDigest
                + "\",\"size\":"
                + config.length
                + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\","
                + "\"digest\":\""
                + layer
                + "\",\"size\":"
                + layerBytes.length
                + "}]}")
            .getBytes(StandardCharsets.UTF_8);
    served.put("/v2/r/manifests/1", manifest);
    served.put("/v2/r/blobs/" + configDigest, config);
    served.put("/v2/r/blobs/" + layer, layerBytes);
    server =
        LoopbackHttpServer.start(
            "/v2/",
            x -> {
              String path = x.getRequestURI().getPath();
              byte[] body =
                  path.equals("/v2/") ? "{}".getBytes(StandardCharsets.UTF_8) : served.get(path);
              if (path.endsWith(layer.toString()) && failuresLeft.getAndDecrement() > 0) {
                x.sendResponseHeaders(503, -1);
              } else if (body == null) {
                x.sendResponseHeaders(404, -1);
              } else {
                if (path.contains("/manifests/")) {
                  x.getResponseHeaders()
                      .add("Content-Type", "application/vnd.oci.image.manifest.v1+json");
                }
                x.sendResponseHeaders(200, body.length);
                x.getResponseBody().write(body);
              }
              x.close();
            });
    host = server.host();
  }

  @Test
  void transientServerErrorsAreRetried() throws Exception {
    failuresLeft.set(2);
    try (Store store = Store.open(tmp.resolve("s"));
        Registries regs = new Registries(RegistryConfig.empty(), CredentialStore.none())) {
      var d = Pulls.pull(store, regs, host + "/r:1", "linux/amd64");
      assertTrue(store.blobs().has(layer));
      assertEquals(d.digest(), store.images().resolve(host + "/r:1").orElseThrow().digest());
    }
  }

  @Test
  void persistentErrorsFailWithoutTagging() throws Exception {
    failuresLeft.set(100);
    try (Store store = Store.open(tmp.resolve("s"));
        Registries regs = new Registries(RegistryConfig.empty(), CredentialStore.none())) {
      var e =
          assertThrows(
              RegistryException.class, () -> Pulls.pull(store, regs, host + "/r:1", "linux/amd64"));
      assertEquals(RegistryException.Kind.SERVER, e.kind());
      assertTrue(store.images().list().isEmpty());
      assertTrue(!store.blobs().has(layer));
    }
  }
}
