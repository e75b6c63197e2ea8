package dev.jbuild.layercache.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.ImageValidator;
import dev.jbuild.testing.RandomImages;
import dev.jbuild.testing.Skopeo;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OCI and docker archives, cross-checked with skopeo in both directions. */
class ArchiveIT {
  @TempDir Path tmp;

  @Test
  void savedArchivesAreReadBySkopeoAndLoadBack() throws Exception {
    Path oci = tmp.resolve("app-oci.tar");
    Path docker = tmp.resolve("app-docker.tar");
    String configDigest;
    try (Store store = Store.open(tmp.resolve("s1"))) {
      var d = RandomImages.small(store, "app:1", 3);
      configDigest = store.images().manifest(d.digest()).config().digest().toString();
      var images = List.of(new TaggedImage("app:1", d));
      try (OutputStream out = Files.newOutputStream(oci)) {
        OciArchive.write(store, images, out);
      }
      try (OutputStream out = Files.newOutputStream(docker)) {
        DockerArchive.write(store, images, out);
      }
    }
    JsonObject fromOci =
        Json.parseObject(Skopeo.run(List.of("inspect", "--config", "oci-archive:" + oci)));
    assertEquals("amd64", fromOci.string("architecture"));
    JsonObject fromDocker =
        Json.parseObject(Skopeo.run(List.of("inspect", "docker-archive:" + docker)));
    assertEquals(2, fromDocker.array("Layers").size());
    // skopeo copies both into OCI layouts (it verifies every digest)
    Skopeo.run(List.of("copy", "oci-archive:" + oci, "oci:" + tmp.resolve("copy1") + ":x"));
    Skopeo.run(List.of("copy", "docker-archive:" + docker, "oci:" + tmp.resolve("copy2") + ":x"));

    for (Path archive : List.of(oci, docker)) {
      try (Store store = Store.open(tmp.resolve("load-" + archive.getFileName()))) {
        var loaded = ArchiveLoader.load(store, archive);
        assertEquals(1, loaded.size());
        assertEquals("app:1", loaded.get(0).name());
        ImageValidator.validate(store, "app:1");
        var image =
            store.images().image(store.images().resolve("app:1").orElseThrow(), Platform.host());
        assertEquals(configDigest, image.manifest().config().digest().toString());
        for (var diffId : image.config().diffIds()) {
          assertTrue(store.layers().blobFor(diffId).isPresent());
        }
      }
    }
  }

  @Test
  void archivesWrittenBySkopeoLoad() throws Exception {
    Path src = tmp.resolve("src");
    try (Store store = Store.open(src)) {
      RandomImages.small(store, "orig:2", 5);
    }
    Path dockerTar = tmp.resolve("skopeo-docker.tar");
    Path ociTar = tmp.resolve("skopeo-oci.tar");
    Skopeo.run(
        List.of(
            "copy", "oci:" + src + ":orig:2", "docker-archive:" + dockerTar + ":made/by-skopeo:7"));
    Skopeo.run(
        List.of(
            "copy",
            "--dest-compress",
            "oci:" + src + ":orig:2",
            "oci-archive:" + ociTar + ":made/oci:8"));
    try (Store store = Store.open(tmp.resolve("dst"))) {
      var a = ArchiveLoader.load(store, dockerTar);
      assertEquals("made/by-skopeo:7", a.get(0).name());
      ImageValidator.validate(store, "made/by-skopeo:7");
      var b = ArchiveLoader.load(store, ociTar);
      assertEquals(1, b.size());
      assertEquals("made/oci:8", b.get(0).name()); // skopeo's ref.name is the whole reference
      ImageValidator.validate(store, "made/oci:8");
      for (String name : List.of("made/by-skopeo:7")) {
        var image =
            store.images().image(store.images().resolve(name).orElseThrow(), Platform.host());
        assertEquals(2, image.manifest().layers().size());
      }
      // the OCI archive's entry carries only a tag ("made/oci:8" split by skopeo) -> loaded
      // untagged or named
      assertTrue(store.images().list().size() >= 2);
      // a loaded image is usable as a filesystem (what a FROM needs)
      Path root = tmp.resolve("rootfs");
      LocalExport.write(store, store.images().resolve("made/by-skopeo:7").orElseThrow(), root);
      try (Stream<Path> files = Files.walk(root)) {
        assertEquals(9, files.filter(Files::isRegularFile).count());
      }
    }
  }
}
