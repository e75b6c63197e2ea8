package dev.jbuild.builder.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.cli.Main;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.Skopeo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's outputs of a multi-platform image (an index of an amd64 and an arm64 image, each
 * {@code FROM scratch} with a COPY): {@code -o type=oci} holds the index and both images, {@code -o
 * type=docker} one platform ({@code platform=}, default this machine's), {@code -o type=local} and
 * {@code type=tar} one directory per platform named as BuildKit's.
 */
class IndexExportsIT {
  @TempDir Path tmp;

  private Descriptor twoPlatforms(Path root) throws Exception {
    for (String arch : List.of("amd64", "arm64")) {
      Path ctx = tmp.resolve("ctx-" + arch);
      Files.createDirectories(ctx);
      Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY f /f\n");
      Files.writeString(ctx.resolve("f"), arch + "\n");
      assertEquals(
          0,
          Main.run(
              "--root",
              root.toString(),
              "build",
              "-q",
              "--platform",
              "linux/" + arch,
              "-t",
              "app:" + arch,
              ctx.toString()));
    }
    assertEquals(
        0,
        Main.run(
            "--root",
            root.toString(),
            "manifest",
            "create",
            "app:multi",
            "app:amd64",
            "app:arm64"));
    try (Store store = Store.open(root)) {
      Descriptor d = store.images().resolve("app:multi").orElseThrow();
      assertTrue(MediaTypes.isIndex(d.mediaType()), d.toString());
      return d;
    }
  }

  @Test
  void outputsOfAnIndex() throws Exception {
    Path root = tmp.resolve("root");
    Descriptor index = twoPlatforms(root);
    Path oci = tmp.resolve("oci.tar");
    Path docker = tmp.resolve("docker-arm64.tar");
    Path dockerHost = tmp.resolve("docker-host.tar");
    Path local = tmp.resolve("local");
    Path tar = tmp.resolve("fs.tar");
    try (Store store = Store.open(root)) {
      List<String> tags = List.of("app:multi");
      Exports.write(store, index, tags, new Export(Export.Type.OCI, oci.toString(), Map.of()));
      Exports.write(
          store,
          index,
          tags,
          new Export(Export.Type.DOCKER, docker.toString(), Map.of("platform", "linux/arm64")));
      Exports.write(
          store, index, tags, new Export(Export.Type.DOCKER, dockerHost.toString(), Map.of()));
      Exports.write(store, index, tags, new Export(Export.Type.LOCAL, local.toString(), Map.of()));
      Exports.write(store, index, tags, new Export(Export.Type.TAR, tar.toString(), Map.of()));
    }
    // OCI: the index as index.json's entry, both images readable
    JsonObject raw =
        Json.parseObject(Skopeo.run(List.of("inspect", "--raw", "oci-archive:" + oci)));
    assertEquals(MediaTypes.OCI_INDEX, raw.string("mediaType"));
    assertEquals(2, raw.array("manifests").size());
    for (String arch : List.of("amd64", "arm64")) {
      JsonObject img =
          Json.parseObject(
              Skopeo.run(List.of("inspect", "--override-arch", arch, "oci-archive:" + oci)));
      assertEquals(arch, img.string("Architecture"));
    }
    Path layout = tmp.resolve("layout");
    Files.createDirectories(layout);
    exec(List.of("tar", "-xf", oci.toString(), "-C", layout.toString()));
    assertEquals("multi", exec(List.of("umoci", "ls", "--layout", layout.toString())).strip());
    // docker: one platform
    assertEquals(
        "arm64",
        Json.parseObject(Skopeo.run(List.of("inspect", "docker-archive:" + docker)))
            .string("Architecture"));
    assertEquals(
        "amd64",
        Json.parseObject(Skopeo.run(List.of("inspect", "docker-archive:" + dockerHost)))
            .string("Architecture"));
    // local and tar: linux_amd64/ and linux_arm64/
    assertEquals("amd64\n", Files.readString(local.resolve("linux_amd64/f")));
    assertEquals("arm64\n", Files.readString(local.resolve("linux_arm64/f")));
    assertFalse(Files.exists(local.resolve("f")));
    String listing = exec(List.of("tar", "-tf", tar.toString()));
    assertTrue(listing.contains("linux_amd64/f") && listing.contains("linux_arm64/f"), listing);
  }

  @Test
  void aDockerOutputOfAMissingPlatformNamesThePlatforms() throws Exception {
    Path root = tmp.resolve("root2");
    Descriptor index = twoPlatforms(root);
    try (Store store = Store.open(root)) {
      var e =
          org.junit.jupiter.api.Assertions.assertThrows(
              java.io.IOException.class,
              () ->
                  Exports.write(
                      store,
                      index,
                      List.of(),
                      new Export(
                          Export.Type.DOCKER,
                          tmp.resolve("x.tar").toString(),
                          Map.of("platform", "linux/s390x"))));
      assertTrue(e.getMessage().contains("(it has: linux/amd64, linux/arm64)"), e.getMessage());
    }
    assertFalse(Files.exists(tmp.resolve("x.tar")));
  }

  @Test
  void fromATaggedIndexTakesTheImageOfTheBuildPlatform() throws Exception {
    Path root = tmp.resolve("root3");
    twoPlatforms(root);
    Path ctx = tmp.resolve("derived");
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("Dockerfile"), "FROM app:multi\nCOPY g /g\n");
    Files.writeString(ctx.resolve("g"), "g\n");
    for (String arch : List.of("amd64", "arm64")) {
      Path out = tmp.resolve("out-" + arch);
      assertEquals(
          0,
          Main.run(
              "--root",
              root.toString(),
              "build",
              "-q",
              "--platform",
              "linux/" + arch,
              "-o",
              "type=local,dest=" + out,
              ctx.toString()));
      assertEquals(arch + "\n", Files.readString(out.resolve("f")));
      assertEquals("g\n", Files.readString(out.resolve("g")));
    }
  }

  private static String exec(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(new ArrayList<>(cmd)).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new AssertionError(cmd + " failed:\n" + out);
    }
    return out;
  }
}
