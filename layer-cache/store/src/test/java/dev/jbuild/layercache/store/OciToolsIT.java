package dev.jbuild.layercache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.store.fixtures.SampleImages;
import dev.jbuild.layercache.testing.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real OCI tools read the store as a layout: skopeo inspect and umoci unpack (Debian packages). */
class OciToolsIT {
  @TempDir Path dir;

  @Test
  void skopeoAndUmociReadStoredImages() throws Exception {
    Path root = dir.resolve("store");
    Descriptor manifest;
    Descriptor config;
    try (Store s = Store.open(root)) {
      SampleImages.Layer base =
          SampleImages.layer(
              s, Compression.GZIP, Map.of("etc/", "", "etc/os-release", "ID=test\n"));
      SampleImages.Layer app =
          SampleImages.layer(s, Compression.NONE, Map.of("app/", "", "app/hello.txt", "hello\n"));
      SampleImages.Layer third =
          SampleImages.layer(s, Compression.ZSTD, Map.of("app/", "", "app/z.txt", "zstd\n"));
      manifest = SampleImages.image(s, "COPY", List.of(base, app));
      // umoci 0.4.7 (Debian) cannot unpack zstd layers: that image is for skopeo only
      s.images().tag("zst:1", SampleImages.image(s, "COPY", List.of(base, third)));
      config = s.images().manifest(manifest.digest()).config();
      s.images().tag("app:1", manifest);
      s.images().addUntagged(SampleImages.image(s, "dangling")); // ignored by the tools
      s.images().tag("registry.example:5000/team/app:v2", manifest);
    }

    String out = Proc.run(null, "skopeo", "inspect", "oci:" + root + ":app:1");
    JsonObject o = Json.parseObject(out);
    assertEquals(manifest.digest().toString(), o.string("Digest"));
    assertEquals(2, o.strings("Layers").size());
    assertEquals("linux", o.string("Os"));

    String rawConfig = Proc.run(null, "skopeo", "inspect", "--config", "oci:" + root + ":app:1");
    assertEquals(List.of("sh"), Json.parseObject(rawConfig).object("config").strings("Cmd"));
    assertTrue(
        Proc.run(
                null,
                "skopeo",
                "inspect",
                "--raw",
                "oci:" + root + ":registry.example:5000/team/app:v2")
            .contains(config.digest().toString()));

    Path bundle = dir.resolve("bundle");
    Proc.run(null, "umoci", "unpack", "--image", root + ":app:1", bundle.toString());
    assertEquals("hello\n", Files.readString(bundle.resolve("rootfs/app/hello.txt")));
    assertEquals("ID=test\n", Files.readString(bundle.resolve("rootfs/etc/os-release")));
    assertTrue(Files.isRegularFile(bundle.resolve("config.json")));
    JsonObject zst =
        Json.parseObject(Proc.run(null, "skopeo", "inspect", "oci:" + root + ":zst:1"));
    assertEquals(2, zst.strings("Layers").size());
    String zstRaw = Proc.run(null, "skopeo", "inspect", "--raw", "oci:" + root + ":zst:1");
    assertTrue(zstRaw.contains("tar+zstd"), zstRaw);

    // skopeo copies the stored image out to a fresh layout, and the store reads that back
    Path copy = dir.resolve("copy");
    Proc.run(null, "skopeo", "copy", "oci:" + root + ":app:1", "oci:" + copy + ":x");
    try (Store s = Store.open(root)) {
      StoreChecker.check(s);
    }
  }
}
