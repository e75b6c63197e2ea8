package dev.jbuild.cli.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.registry.Progress;
import dev.jbuild.layercache.registry.PullOptions;
import dev.jbuild.layercache.registry.Puller;
import dev.jbuild.layercache.registry.Registries;
import dev.jbuild.layercache.registry.RegistryConfig;
import dev.jbuild.layercache.registry.Timeouts;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.MisbehavingServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 finding 6: a registry or an {@code ADD <url>} server that stops answering, stalls a body
 * or drops the connection. Short timeouts come from the environment ({@code JBUILD_READ_TIMEOUT})
 * or registries.json, so the tests stay fast; a stalled transfer ends with exit code 5 naming what
 * it was for, a dropped blob is resumed with a Range request and verified as a whole.
 */
class NetworkTimeoutsIT {
  @TempDir Path tmp;

  private final byte[] layer = new byte[300_000];
  private final Digest layerDigest;
  private final byte[] config;
  private final Digest configDigest;
  private final byte[] manifest;

  NetworkTimeoutsIT() {
    new Random(10).nextBytes(layer);
    layerDigest = Digest.sha256(layer);
    config =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\""
                + layerDigest
                + "\"]},\"history\":[{\"created_by\":\"x\"}]}")
            .getBytes(StandardCharsets.UTF_8);
    configDigest = Digest.sha256(config);
    manifest =
        ("{\"schemaVersion\":2,\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST
                + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG
                + "\",\"digest\":\""
                + configDigest
                + "\",\"size\":"
                + config.length
                + "},\"layers\":[{\"mediaType\":\""
                + MediaTypes.OCI_LAYER
                + "\",\"digest\":\""
                + layerDigest
                + "\",\"size\":"
                + layer.length
                + "}]}")
            .getBytes(StandardCharsets.UTF_8);
  }

  /** What the layer blob's GETs get. */
  @FunctionalInterface
  interface BlobBehaviour {
    void serve(int call, MisbehavingServer.Request r, OutputStream out, MisbehavingServer s)
        throws IOException;
  }

  private MisbehavingServer registry(boolean hangOnManifest, BlobBehaviour blob) {
    var calls = new AtomicInteger();
    return MisbehavingServer.start(
        (r, out, s) -> {
          String p = r.path();
          if (p.equals("/v2/")) {
            MisbehavingServer.respond(out, 200, Map.of(), "{}".getBytes(StandardCharsets.UTF_8));
          } else if (p.equals("/v2/r/manifests/1")) {
            if (hangOnManifest) {
              s.hang(); // the headers never come
              return;
            }
            MisbehavingServer.respond(
                out,
                200,
                Map.of(
                    "Content-Type",
                    MediaTypes.OCI_MANIFEST,
                    "Docker-Content-Digest",
                    Digest.sha256(manifest).toString()),
                manifest);
          } else if (p.equals("/v2/r/blobs/" + configDigest)) {
            MisbehavingServer.respond(out, 200, Map.of(), config);
          } else if (p.equals("/v2/r/blobs/" + layerDigest)) {
            blob.serve(calls.incrementAndGet(), r, out, s);
          } else {
            MisbehavingServer.respond(out, 404, Map.of(), new byte[0]);
          }
        });
  }

  private Map<String, String> env() throws IOException {
    var env = Cli.env(tmp);
    env.put(Timeouts.READ_ENV, "0.5");
    env.put(Timeouts.CONNECT_ENV, "2");
    return env;
  }

  @Test
  void answerThatNeverComesEndsWithExit5NamingTheImage() throws Exception {
    try (var server = registry(true, (c, r, out, s) -> {})) {
      String ref = server.host() + "/r:1";
      var pull = Cli.withRoot(env(), tmp.resolve("root"), "pull", ref);
      assertEquals(5, pull.exit(), pull.err());
      assertTrue(pull.err().contains("pull of " + ref + " failed"), pull.err());
      assertTrue(pull.err().contains("no response for 0.5 s"), pull.err());
      assertEquals(1, pull.err().strip().lines().count(), pull.err());
      long manifestGets =
          server.requests().stream().filter(q -> q.path().contains("/manifests/")).count();
      assertEquals(3, manifestGets); // an idempotent GET is tried three times
    }
  }

  @Test
  void stalledBodyEndsWithExit5NamingTheBlob() throws Exception {
    try (var server =
        registry(
            false,
            (call, r, out, s) -> {
              int from = rangeStart(r);
              if (from == 0) {
                MisbehavingServer.head(out, 200, Map.of(), layer.length);
              } else {
                MisbehavingServer.head(
                    out,
                    206,
                    Map.of(
                        "Content-Range",
                        "bytes " + from + "-" + (layer.length - 1) + "/" + layer.length),
                    layer.length - from);
              }
              out.write(layer, from, 1000);
              out.flush();
              s.hang(); // the body stops
            })) {
      String ref = server.host() + "/r:1";
      Path root = tmp.resolve("root");
      var pull = Cli.withRoot(env(), root, "pull", ref);
      assertEquals(5, pull.exit(), pull.err());
      assertTrue(pull.err().contains("pull of " + ref + " failed"), pull.err());
      assertTrue(pull.err().contains(server.host() + "/r@" + layerDigest), pull.err());
      assertTrue(pull.err().contains("no data for 0.5 s"), pull.err());
      var gets =
          server.requests().stream()
              .filter(q -> q.path().endsWith(layerDigest.toString()))
              .toList();
      assertEquals(3, gets.size());
      assertNull(gets.get(0).header("Range"));
      assertEquals("bytes=1000-", gets.get(1).header("Range"));
      assertEquals("bytes=2000-", gets.get(2).header("Range"));
      try (Store store = Store.open(root)) {
        assertTrue(store.images().list().isEmpty());
        assertTrue(!store.blobs().has(layerDigest));
      }
    }
  }

  @Test
  void droppedConnectionIsResumedWithARangeAndVerifiedAsAWhole() throws Exception {
    int cut = 123_457;
    try (var server =
        registry(
            false,
            cutFirstAt(
                cut,
                (call, r, out, s) -> {
                  int from = rangeStart(r);
                  MisbehavingServer.respond(
                      out,
                      206,
                      Map.of(
                          "Content-Range",
                          "bytes " + from + "-" + (layer.length - 1) + "/" + layer.length),
                      Arrays.copyOfRange(layer, from, layer.length));
                }))) {
      pullInProcess(server);
      var gets =
          server.requests().stream()
              .filter(q -> q.path().endsWith(layerDigest.toString()))
              .toList();
      assertEquals(2, gets.size());
      assertEquals("bytes=" + cut + "-", gets.get(1).header("Range"));
    }
  }

  @Test
  void serverIgnoringTheRangeSendsItAllAgainAndThePullStillVerifies() throws Exception {
    try (var server =
        registry(
            false,
            cutFirstAt(
                5000, (call, r, out, s) -> MisbehavingServer.respond(out, 200, Map.of(), layer)))) {
      pullInProcess(server);
    }
  }

  /**
   * The first GET gets the headers of the whole layer and its first {@code cut} bytes, then the
   * connection closes; the next GETs get {@code then}.
   */
  private BlobBehaviour cutFirstAt(int cut, BlobBehaviour then) {
    return (call, r, out, s) -> {
      if (call == 1) {
        MisbehavingServer.head(out, 200, Map.of(), layer.length);
        out.write(layer, 0, cut);
        out.flush();
        return; // the connection closes mid-blob
      }
      then.serve(call, r, out, s);
    };
  }

  /** Pulls with the timeouts of registries.json (read 1 s). */
  private void pullInProcess(MisbehavingServer server) throws Exception {
    Path file = tmp.resolve("timeouts.json");
    Files.writeString(file, "{\"timeouts\": {\"connect\": 2, \"read\": 1}}");
    RegistryConfig config = RegistryConfig.load(file);
    assertEquals(Duration.ofSeconds(1), config.timeouts().read());
    try (Store store = Store.open(tmp.resolve("in-process"));
        var regs = new Registries(config, CredentialStore.none())) {
      var d =
          new Puller(store, regs, Progress.none())
              .pull(
                  ImageReference.parse(server.host() + "/r:1"),
                  Platform.parse("linux/amd64"),
                  PullOptions.defaults());
      assertTrue(store.blobs().has(layerDigest));
      store.blobs().verify(layerDigest);
      assertEquals(
          d.digest(), store.images().resolve(server.host() + "/r:1").orElseThrow().digest());
    }
  }

  @Test
  void addOfAStalledUrlEndsWithExit5NamingTheUrl() throws Exception {
    try (var server =
        MisbehavingServer.start(
            (r, out, s) -> {
              MisbehavingServer.head(out, 200, Map.of(), 100_000);
              out.write(new byte[10]);
              out.flush();
              s.hang();
            })) {
      var env = env();
      env.remove(Timeouts.READ_ENV);
      // this time from registries.json
      Files.writeString(tmp.resolve("registries.json"), "{\"timeouts\": {\"read\": 0.5}}");
      Path ctx = tmp.resolve("ctx");
      Files.createDirectories(ctx);
      String url = "http://" + server.host() + "/file.bin";
      Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nADD " + url + " /f\n");
      var build = Cli.withRoot(env, tmp.resolve("root"), "build", ctx.toString());
      assertEquals(5, build.exit(), build.err());
      assertTrue(build.err().contains("cannot fetch " + url), build.err());
      assertTrue(build.err().contains("no data for 0.5 s"), build.err());
      assertEquals(3, server.requests().size());
    }
  }

  private static int rangeStart(MisbehavingServer.Request r) {
    String range = r.header("Range");
    return range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-", "$1"));
  }
}
