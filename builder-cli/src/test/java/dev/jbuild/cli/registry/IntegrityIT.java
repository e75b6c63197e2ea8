package dev.jbuild.cli.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.archive.LocalExport;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.DigestMismatchException;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.MisbehavingServer;
import dev.jbuild.testing.RandomImages;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 finding 9: a blob corrupted in the store never leaves it (push, save, export, unpack
 * fail naming the blob and what to do), a corrupt config is reported as such, {@code jbuild pull}
 * repairs a pulled image, and a config's declared size is checked before it is downloaded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntegrityIT {
  @AutoClose private final LocalRegistry registry = LocalRegistry.start();
  @TempDir Path tmp;

  /** Flips one byte in the middle of a stored blob (same size: only its digest can tell). */
  private static void corrupt(Store store, Digest blob) throws IOException {
    Path file = store.blobs().path(blob);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    try (var f = new RandomAccessFile(file.toFile(), "rw")) {
      long at = f.length() / 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x5a);
    }
  }

  private int manifestStatus(String repository, String tag) throws Exception {
    var r =
        registry
            .httpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(registry.baseUrl() + "/v2/" + repository + "/manifests/" + tag))
                    .header("Accept", MediaTypes.OCI_MANIFEST)
                    .build(),
                HttpResponse.BodyHandlers.discarding());
    return r.statusCode();
  }

  @Test
  void aCorruptLayerLeavesTheStoreByNoWay() throws Exception {
    Path root = tmp.resolve("corrupt-layer");
    Digest layer;
    Descriptor d;
    try (Store store = Store.open(root)) {
      d = RandomImages.small(store, "app:1", 9);
      ImageManifest m = store.images().manifest(d.digest());
      layer = m.layers().get(1).digest();
      assertEquals(MediaTypes.OCI_LAYER, m.layers().get(1).mediaType());
      corrupt(store, layer);
    }
    String expected = "blob " + layer + " in the store is corrupt";
    var env = Cli.env(tmp);

    var push = Cli.withRoot(env, root, "push", "app:1", registry.host() + "/integ/app:1");
    assertNotEquals(0, push.exit(), push.err());
    assertTrue(push.err().contains(expected), push.err());
    assertTrue(push.err().contains("jbuild pull") && push.err().contains("jbuild rmi"), push.err());
    assertEquals(404, manifestStatus("integ/app", "1"));

    for (String format : new String[] {"oci", "docker"}) {
      Path out = tmp.resolve("saved-" + format + ".tar");
      var save = Cli.withRoot(env, root, "save", "--format", format, "-o", out.toString(), "app:1");
      assertNotEquals(0, save.exit(), format + ": " + save.err());
      assertTrue(save.err().contains(expected), save.err());
    }

    try (Store store = Store.open(root)) {
      // export and unpack read it verified too
      var e =
          assertThrows(
              DigestMismatchException.class,
              () -> LocalExport.write(store, d, Platform.parse("linux/amd64"), tmp.resolve("fs")));
      assertTrue(e.getMessage().contains(expected), e.getMessage());
      var u = assertThrows(DigestMismatchException.class, () -> store.layers().unpacked(layer));
      assertTrue(u.getMessage().contains(expected), u.getMessage());
      assertTrue(store.layers().ifUnpacked(layer).isEmpty());
    }
  }

  @Test
  void aCorruptConfigIsNamedAndPullRepairsThePulledImage() throws Exception {
    var env = Cli.env(tmp);
    Path src = tmp.resolve("src");
    try (Store store = Store.open(src)) {
      RandomImages.small(store, "app:2", 21);
    }
    String ref = registry.host() + "/integ/repair:2";
    var push = Cli.withRoot(env, src, "push", "app:2", ref);
    assertEquals(0, push.exit(), push.err());
    Path root = tmp.resolve("pulled");
    var pull = Cli.withRoot(env, root, "pull", ref);
    assertEquals(0, pull.exit(), pull.err());
    Digest config;
    Digest layer;
    try (Store store = Store.open(root)) {
      ImageManifest m = store.images().manifest(store.images().resolve(ref).orElseThrow().digest());
      config = m.config().digest();
      layer = m.layers().get(0).digest();
      corrupt(store, config);
      corrupt(store, layer);
    }
    var inspect = Cli.withRoot(env, root, "inspect", ref);
    assertEquals(1, inspect.exit(), inspect.err());
    assertTrue(
        inspect.err().contains("blob " + config + " in the store is corrupt"), inspect.err());
    assertFalse(inspect.err().contains("no such image"), inspect.err());

    var repair = Cli.withRoot(env, root, "pull", ref);
    assertEquals(0, repair.exit(), repair.err());
    try (Store store = Store.open(root)) {
      store.blobs().verify(config);
      store.blobs().verify(layer);
    }
    var again = Cli.withRoot(env, root, "inspect", ref);
    assertEquals(0, again.exit(), again.err());
    assertTrue(again.out().contains(config.toString()), again.out());
  }

  @Test
  void aConfigDeclaredHugeIsRefusedBeforeDownload() throws Exception {
    byte[] manifest =
        ("{\"schemaVersion\":2,\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST
                + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG
                + "\",\"digest\":\"sha256:"
                + "a".repeat(64)
                + "\",\"size\":"
                + (10L << 40)
                + "},\"layers\":[]}")
            .getBytes(StandardCharsets.UTF_8);
    try (var server =
        MisbehavingServer.start(
            (r, out, s) -> {
              if (r.path().equals("/v2/r/manifests/1")) {
                MisbehavingServer.respond(
                    out, 200, Map.of("Content-Type", MediaTypes.OCI_MANIFEST), manifest);
              } else if (r.path().startsWith("/v2/r/blobs/")) {
                // an endless config: never asked for
                MisbehavingServer.head(out, 200, Map.of(), 10L << 40);
                byte[] chunk = new byte[1 << 16];
                while (true) {
                  out.write(chunk);
                }
              } else {
                MisbehavingServer.respond(out, 200, Map.of(), "{}".getBytes());
              }
            })) {
      Path root = tmp.resolve("huge");
      var pull = Cli.withRoot(Cli.env(tmp), root, "pull", server.host() + "/r:1");
      assertEquals(5, pull.exit(), pull.err());
      assertTrue(pull.err().contains("declares " + (10L << 40) + " bytes"), pull.err());
      assertTrue(pull.err().contains("at most 32 MiB"), pull.err());
      assertTrue(
          server.requests().stream().noneMatch(q -> q.path().contains("/blobs/")),
          server.requests().toString());
      try (Store store = Store.open(root)) {
        assertTrue(store.images().list().isEmpty());
      }
    }
  }
}
