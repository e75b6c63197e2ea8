package dev.jbuild.cli.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.LoopbackHttpServer;
import dev.jbuild.testing.RandomImages;
import dev.jbuild.testing.Skopeo;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * jbuild pull, push, login, logout, save and load as a user runs them (a separate process with its
 * own environment): credentials through config.json and through a credential helper on PATH, and
 * the error cases with their exit codes, each leaving the store unchanged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RegistryCliIT {
  @AutoClose
  private final LocalRegistry auth =
      LocalRegistry.start(LocalRegistry.Options.plain().withAuth("alice", "s3cret"));

  @TempDir Path tmp;

  private Map<String, String> env(Path dockerConfig) {
    var env = new HashMap<String, String>();
    env.put("DOCKER_CONFIG", dockerConfig.toString());
    env.put("JBUILD_REGISTRIES_CONFIG", tmp.resolve("no-registries.json").toString());
    env.put("XDG_CONFIG_HOME", tmp.resolve("xdg").toString());
    return env;
  }

  private Path storeWithImage(String name, String tag, long seed) throws Exception {
    Path root = tmp.resolve(name);
    try (Store store = Store.open(root)) {
      RandomImages.small(store, tag, seed);
    }
    return root;
  }

  @Test
  void loginPushLogoutWithConfigJson() throws Exception {
    Files.writeString(tmp.resolve("no-registries.json"), "{}");
    Path docker = tmp.resolve("docker");
    var env = env(docker);
    var bad = Cli.run(env, "wrong\n", "login", "-u", "alice", "--password-stdin", auth.host());
    assertEquals(5, bad.exit(), bad.err());
    assertTrue(bad.err().contains("were rejected"), bad.err());
    assertFalse(Files.exists(docker.resolve("config.json")));

    var ok = Cli.run(env, "s3cret\n", "login", "-u", "alice", "--password-stdin", auth.host());
    assertEquals(0, ok.exit(), ok.err());
    assertTrue(ok.out().contains("Login Succeeded"));
    var config = Json.parseObject(Files.readAllBytes(docker.resolve("config.json")));
    assertEquals(
        Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8)),
        config.object("auths").object(auth.host()).string("auth"));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(docker.resolve("config.json"))));

    Path root = storeWithImage("push-src", "app:1", 31);
    String ref = auth.host() + "/cli/app:1";
    var push = Cli.withRoot(env, root, "push", "app:1", ref);
    assertEquals(0, push.exit(), push.err());
    assertTrue(push.out().contains("digest: sha256:"), push.out());

    Path fresh = tmp.resolve("pull-dst");
    var pull = Cli.withRoot(env, fresh, "pull", ref);
    assertEquals(0, pull.exit(), pull.err());
    assertTrue(pull.out().contains(ref), pull.out());
    assertTrue(pull.out().contains("Status: Downloaded newer image"), pull.out());
    var again = Cli.withRoot(env, fresh, "pull", ref);
    assertEquals(0, again.exit(), again.err());
    assertTrue(again.out().contains("Status: Image is up to date"), again.out());
    assertTrue(again.out().contains("Already exists"), again.out());

    var logout = Cli.run(env, null, "logout", auth.host());
    assertEquals(0, logout.exit(), logout.err());
    var denied = Cli.withRoot(env, tmp.resolve("p2"), "pull", ref);
    assertEquals(5, denied.exit());
    assertTrue(denied.err().contains("authentication required"), denied.err());
  }

  @Test
  void credentialHelperOnPath() throws Exception {
    Files.writeString(tmp.resolve("no-registries.json"), "{}");
    Path bin = tmp.resolve("bin");
    Files.createDirectories(bin);
    Path helper = bin.resolve("docker-credential-test");
    Files.writeString(
        helper,
        "#!/bin/sh\n"
            + "read server\n"
            + "if [ \"$1\" = get ] && [ \"$server\" = \""
            + auth.host()
            + "\" ]; then\n"
            + "  echo '{\"ServerURL\":\"'$server'\",\"Username\":\"alice\",\"Secret\":\"s3cret\"}'\n"
            + "  exit 0\n"
            + "fi\n"
            + "echo 'credentials not found in native keychain'\nexit 1\n");
    Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path docker = tmp.resolve("docker-helper");
    Files.createDirectories(docker);
    Files.writeString(
        docker.resolve("config.json"), "{\"credHelpers\":{\"" + auth.host() + "\":\"test\"}}");
    var env = env(docker);
    env.put("PATH", bin + ":" + System.getenv("PATH"));
    Path root = storeWithImage("helper-src", "h:1", 41);
    var push = Cli.withRoot(env, root, "push", "h:1", auth.host() + "/helper/h:1");
    assertEquals(0, push.exit(), push.err());
  }

  @Test
  void errorsHaveClearMessagesExitCodesAndLeaveTheStoreUnchanged() throws Exception {
    Files.writeString(tmp.resolve("no-registries.json"), "{}");
    var env = env(tmp.resolve("docker-none"));
    Path root = storeWithImage("errors", "keep:1", 51);
    byte[] indexBefore = Files.readAllBytes(root.resolve("index.json"));

    try (LocalRegistry plain = LocalRegistry.start()) {
      var unknown = Cli.withRoot(env, root, "pull", plain.host() + "/no/such:tag");
      assertEquals(4, unknown.exit(), unknown.err());
      assertEquals(
          "jbuild: image not found: " + plain.host() + "/no/such:tag", unknown.err().strip());
    }
    int port;
    try (var s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    var refused = Cli.withRoot(env, root, "pull", "127.0.0.1:" + port + "/a:1");
    assertEquals(5, refused.exit());
    assertTrue(refused.err().contains("connection refused"), refused.err());

    // a registry that sends a layer whose bytes do not match its digest
    Path src = tmp.resolve("evil-src");
    Digest layerDigest;
    Map<String, byte[]> served = new HashMap<>();
    String manifestType;
    try (Store store = Store.open(src)) {
      var d = RandomImages.small(store, null, 61);
      var m = store.images().manifest(d.digest());
      manifestType = d.mediaType();
      served.put("/v2/evil/img/manifests/1", store.blobs().read(d.digest()));
      served.put(
          "/v2/evil/img/blobs/" + m.config().digest(), store.blobs().read(m.config().digest()));
      layerDigest = m.layers().get(0).digest();
      byte[] layer = store.blobs().read(layerDigest);
      layer[layer.length / 2] ^= 1;
      served.put("/v2/evil/img/blobs/" + layerDigest, layer);
      served.put(
          "/v2/evil/img/blobs/" + m.layers().get(1).digest(),
          store.blobs().read(m.layers().get(1).digest()));
    }
    try (LoopbackHttpServer server =
        LoopbackHttpServer.start(
            "/v2/",
            x -> {
              byte[] body =
                  x.getRequestURI().getPath().equals("/v2/")
                      ? "{}".getBytes()
                      : served.get(x.getRequestURI().getPath());
              if (body == null) {
                x.sendResponseHeaders(404, -1);
                x.close();
                return;
              }
              if (x.getRequestURI().getPath().contains("/manifests/")) {
                x.getResponseHeaders().add("Content-Type", manifestType);
              }
              x.sendResponseHeaders(200, body.length);
              try (var o = x.getResponseBody()) {
                o.write(body);
              }
            })) {
      String ref = server.host() + "/evil/img:1";
      var evil = Cli.withRoot(env, root, "pull", ref);
      assertEquals(5, evil.exit(), evil.err());
      assertTrue(evil.err().contains("does not match its digest"), evil.err());
      try (Store store = Store.open(root)) {
        assertFalse(store.blobs().has(layerDigest));
      }
    }

    // TLS: a registry whose certificate is not trusted (insecure explicitly off, no CA)
    try (LocalRegistry tls = LocalRegistry.start(LocalRegistry.Options.plain().withTls())) {
      Files.writeString(
          tmp.resolve("no-registries.json"),
          "{\"registries\":{\"" + tls.host() + "\":{\"insecure\":false}}}");
      var untrusted = Cli.withRoot(env, root, "pull", tls.host() + "/x:1");
      assertEquals(5, untrusted.exit());
      assertTrue(untrusted.err().contains("TLS handshake"), untrusted.err());
      assertTrue(untrusted.err().contains("not trusted"), untrusted.err());
      // with the CA configured it works (the image does not exist: a clean 'not found')
      Files.writeString(
          tmp.resolve("no-registries.json"),
          "{\"registries\":{\""
              + tls.host()
              + "\":{\"ca\":\""
              + tls.caCertificate().orElseThrow()
              + "\"}}}");
      var trusted = Cli.withRoot(env, root, "pull", tls.host() + "/x:1");
      assertEquals(4, trusted.exit(), trusted.err());
    }
    assertEquals(
        new String(indexBefore), new String(Files.readAllBytes(root.resolve("index.json"))));
  }

  @Test
  void saveAndLoadThroughTheCli() throws Exception {
    var env = env(tmp.resolve("docker-none2"));
    Path root = storeWithImage("save-src", "saved:1", 71);
    Path archive = tmp.resolve("saved.tar");
    var save = Cli.withRoot(env, root, "save", "-o", archive.toString(), "saved:1");
    assertEquals(0, save.exit(), save.err());
    Skopeo.run(java.util.List.of("inspect", "docker-archive:" + archive));
    Path oci = tmp.resolve("saved-oci.tar");
    var saveOci =
        Cli.withRoot(env, root, "save", "--format", "oci", "-o", oci.toString(), "saved:1");
    assertEquals(0, saveOci.exit(), saveOci.err());
    Skopeo.run(java.util.List.of("inspect", "oci-archive:" + oci));
    var load = Cli.withRoot(env, tmp.resolve("loaded"), "load", "-i", archive.toString());
    assertEquals(0, load.exit(), load.err());
    assertEquals("Loaded image: saved:1", load.out().strip());
    var garbage = tmp.resolve("garbage.tar");
    Files.writeString(garbage, "not an archive at all");
    var bad = Cli.withRoot(env, tmp.resolve("loaded"), "load", "-i", garbage.toString());
    assertEquals(1, bad.exit());
    assertTrue(bad.err().startsWith("jbuild: load failed: "), bad.err());
  }
}
