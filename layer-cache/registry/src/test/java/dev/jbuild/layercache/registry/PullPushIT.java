package dev.jbuild.layercache.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.ImageValidator;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.RandomImages;
import dev.jbuild.testing.Skopeo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Pull and push against a real registry, cross-checked with skopeo. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PullPushIT {
  @AutoClose private final LocalRegistry registry = LocalRegistry.start();
  @TempDir Path tmp;

  private Registries registries() {
    return new Registries(RegistryConfig.empty(), CredentialStore.none());
  }

  private static JsonObject inspect(LocalRegistry r, String ref, boolean raw) {
    var args = new ArrayList<String>(List.of("inspect"));
    if (raw) {
      args.add("--raw");
    }
    args.addAll(r.skopeoArgs(""));
    args.add("docker://" + ref);
    return Json.parseObject(Skopeo.run(args));
  }

  @Test
  void jbuildPushesSkopeoReadsAndCopiesThenJbuildPullsBack() throws Exception {
    String ref = registry.host() + "/roundtrip/app:1";
    Descriptor local;
    Pusher.Result pushed;
    try (Store store = Store.open(tmp.resolve("a"));
        Registries regs = registries()) {
      local = RandomImages.small(store, "app:1", 1);
      pushed =
          new Pusher(store, regs, Progress.none())
              .push(local, ImageReference.parse(ref), PushOptions.defaults());
      JsonObject raw = inspect(registry, ref, true);
      assertEquals(2, raw.array("layers").size());
      for (var layer : raw.array("layers").elements()) {
        assertEquals(MediaTypes.OCI_LAYER_GZIP, ((JsonObject) layer).string("mediaType"));
      }
      JsonObject info = inspect(registry, ref, false);
      assertEquals(pushed.digest().toString(), info.string("Digest"));
      assertEquals("amd64", info.string("Architecture"));
      // skopeo copies what jbuild pushed (verifying every blob) into an OCI layout
      Skopeo.run(
          concat(
              List.of("copy"),
              registry.skopeoArgs("src"),
              List.of("docker://" + ref, "oci:" + tmp.resolve("oci") + ":app")));
      assertTrue(Files.exists(tmp.resolve("oci/index.json")));

      // a second push compresses nothing: every blob already exists
      var lines = new ArrayList<String>();
      new Pusher(store, regs, recording(lines))
          .push(local, ImageReference.parse(ref), PushOptions.defaults());
      assertTrue(
          lines.stream().filter(l -> l.contains("Layer already exists")).count() == 2,
          lines.toString());
      assertFalse(lines.stream().anyMatch(l -> l.contains("Compressing")), lines.toString());

      // the same pusher pushing to another repository of that registry mounts the layers
      lines.clear();
      Pusher pusher = new Pusher(store, regs, recording(lines));
      pusher.push(local, ImageReference.parse(ref), PushOptions.defaults());
      pusher.push(
          local,
          ImageReference.parse(registry.host() + "/roundtrip/other:1"),
          PushOptions.defaults());
      assertEquals(
          2,
          lines.stream().filter(l -> l.contains("Mounted from roundtrip/app")).count(),
          lines.toString());
      assertEquals(
          pushed.digest().toString(),
          inspect(registry, registry.host() + "/roundtrip/other:1", false).string("Digest"));
    }
    // jbuild pulls it into an empty store
    try (Store store = Store.open(tmp.resolve("b"));
        Registries regs = registries()) {
      Descriptor d = Pulls.pull(store, regs, ref, "linux/amd64");
      assertEquals(pushed.digest(), d.digest());
      assertEquals(d.digest(), store.images().resolve(ref).orElseThrow().digest());
      ImageValidator.validate(store, ref);
      var image = store.images().image(d, Platform.parse("linux/amd64"));
      List<Digest> diffIds = image.config().diffIds();
      for (int i = 0; i < diffIds.size(); i++) {
        assertEquals(
            image.manifest().layers().get(i).digest(),
            store.layers().blobFor(diffIds.get(i)).orElseThrow().digest());
      }
      // a stored tag is used without asking the registry
      var again =
          new Puller(store, regs, Progress.none())
              .pullDetailed(
                  ImageReference.parse(ref), Platform.parse("linux/amd64"), PullOptions.defaults());
      assertTrue(again.fromStore());
      // by digest
      Descriptor byDigest =
          new Puller(store, regs, Progress.none())
              .pull(
                  ImageReference.parse(registry.host() + "/roundtrip/app@" + pushed.digest()),
                  Platform.parse("linux/amd64"),
                  PullOptions.defaults().withAlwaysPull(true));
      assertEquals(pushed.digest(), byDigest.digest());
    }
  }

  @Test
  void skopeoPushesJbuildPulls() throws Exception {
    // skopeo reads the store (an OCI layout) and pushes with its own code
    Path src = tmp.resolve("src");
    try (Store store = Store.open(src)) {
      RandomImages.small(store, "from-skopeo:1", 7);
    }
    String ref = registry.host() + "/skopeo/pushed:1";
    Skopeo.run(
        concat(
            List.of("copy", "--dest-compress-format=gzip"),
            registry.skopeoArgs("dest"),
            List.of("oci:" + src + ":from-skopeo:1", "docker://" + ref)));
    String digest = inspect(registry, ref, false).string("Digest");
    try (Store store = Store.open(tmp.resolve("dst"));
        Registries regs = registries()) {
      Descriptor d =
          new Puller(store, regs, Progress.none())
              .pull(ImageReference.parse(ref), Platform.host(), PullOptions.defaults());
      assertEquals(digest, d.digest().toString());
      assertEquals(2, store.images().image(d).manifest().layers().size());
      ImageValidator.validate(store, ref);
      // pushing the pulled image to another repository of that registry mounts its blobs from
      // where it was pulled (what a built image on a pulled base gets for its base layers)
      var lines = new ArrayList<String>();
      new Pusher(store, regs, recording(lines))
          .push(
              d,
              ImageReference.parse(registry.host() + "/skopeo/copied:1"),
              PushOptions.defaults());
      assertEquals(
          2,
          lines.stream().filter(l -> l.contains("Mounted from skopeo/pushed")).count(),
          lines.toString());
    }
  }

  @Test
  void multiArchIndexIsResolvedForThePlatform() throws Exception {
    String ref = registry.host() + "/multi/arch:1";
    try (Store store = Store.open(tmp.resolve("m"));
        Registries regs = registries()) {
      var amd =
          RandomImages.create(
              store,
              null,
              List.of(new RandomImages.LayerSpec(2, 0, 0)),
              11,
              Platform.parse("linux/amd64"));
      var arm =
          RandomImages.create(
              store,
              null,
              List.of(new RandomImages.LayerSpec(3, 0, 0)),
              12,
              Platform.parse("linux/arm64"));
      Descriptor index =
          store
              .images()
              .putIndex(
                  ImageIndex.of(
                      List.of(
                          amd.withPlatform(Platform.parse("linux/amd64")),
                          arm.withPlatform(Platform.parse("linux/arm64")))));
      new Pusher(store, regs, Progress.none())
          .push(index, ImageReference.parse(ref), PushOptions.defaults());
    }
    JsonObject raw = inspect(registry, ref, true);
    assertEquals(2, raw.array("manifests").size());
    try (Store store = Store.open(tmp.resolve("m2"));
        Registries regs = registries()) {
      Descriptor d = Pulls.pull(store, regs, ref, "linux/arm64");
      var image = store.images().image(d, Platform.parse("linux/arm64"));
      assertEquals("arm64", image.config().architecture());
      ImageValidator.validate(store, ref);
      var e =
          assertThrows(RegistryException.class, () -> Pulls.pull(store, regs, ref, "linux/s390x"));
      assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
      assertTrue(e.getMessage().contains("linux/s390x"), e.getMessage());
    }
  }

  @Test
  void aMirrorServesDockerHubNames() throws Exception {
    try (LocalRegistry mirror = LocalRegistry.start()) {
      try (Store store = Store.open(tmp.resolve("mirror-src"));
          Registries regs = registries()) {
        var d = RandomImages.small(store, null, 21);
        new Pusher(store, regs, Progress.none())
            .push(
                d,
                ImageReference.parse(mirror.host() + "/library/mirrored:3"),
                PushOptions.defaults());
      }
      var config =
          RegistryConfig.empty()
              .withHost(
                  "docker.io", new RegistryConfig.HostConfig(List.of(mirror.host()), null, null));
      try (Store store = Store.open(tmp.resolve("mirror-dst"));
          Registries regs = new Registries(config, CredentialStore.none())) {
        var result =
            new Puller(store, regs, Progress.none())
                .pullDetailed(
                    ImageReference.parse("mirrored:3"), Platform.host(), PullOptions.defaults());
        assertEquals(mirror.host() + "/library/mirrored", result.source());
        assertTrue(store.images().resolve("mirrored:3").isPresent());
        assertTrue(store.images().resolve("docker.io/library/mirrored:3").isPresent());
      }
    }
  }

  static Progress recording(List<String> lines) {
    return new Progress() {
      @Override
      public synchronized void start(String id, String action, long total) {
        lines.add(id + " " + action);
      }

      @Override
      public void advance(String id, long bytes) {}

      @Override
      public synchronized void done(String id, String status) {
        lines.add(id + " " + status);
      }

      @Override
      public synchronized void message(String line) {
        lines.add(line);
      }
    };
  }

  @SafeVarargs
  static List<String> concat(List<String>... lists) {
    var out = new ArrayList<String>();
    for (var l : lists) {
      out.addAll(l);
    }
    return out;
  }
}
