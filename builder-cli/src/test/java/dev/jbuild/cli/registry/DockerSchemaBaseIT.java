package dev.jbuild.cli.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.ImageValidator;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.RandomImages;
import dev.jbuild.testing.Skopeo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, bug 3: a base image pulled in Docker's schema (skopeo {@code --format v2s2}) gives
 * outputs in one schema: {@code -o type=oci} and {@code save --format oci} hold OCI types only
 * (umoci unpacks them), a push of the built image uses one family throughout.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerSchemaBaseIT {
  @AutoClose private final LocalRegistry registry = LocalRegistry.start();
  @TempDir Path tmp;

  @Test
  void ociOutputsOfADockerSchemaBaseHoldOciTypesOnly() throws Exception {
    Path src = tmp.resolve("src");
    try (Store store = Store.open(src)) {
      RandomImages.small(store, "base:1", 19);
    }
    String base = registry.host() + "/v2s2/base:1";
    Skopeo.run(
        concat(
            List.of("copy", "--format", "v2s2"),
            registry.skopeoArgs("dest"),
            List.of("oci:" + src + ":base:1", "docker://" + base)));
    JsonObject pushedBase = inspectRaw(base);
    assertEquals(MediaTypes.DOCKER_MANIFEST, pushedBase.string("mediaType"));

    var env = Cli.env(tmp);
    Path root = tmp.resolve("root");
    Path ctx = tmp.resolve("ctx");
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("Dockerfile"), "FROM " + base + "\nCOPY f /f\n");
    Files.writeString(ctx.resolve("f"), "hello\n");
    Path ociOut = tmp.resolve("app-oci.tar");
    var build =
        Cli.withRoot(
            env,
            root,
            "build",
            "-t",
            "app:1",
            "--provenance=false", // umoci unpacks one manifest per tag, not buildx's attested index
            "-o",
            "type=oci,dest=" + ociOut,
            ctx.toString());
    assertEquals(0, build.exit(), build.err());

    // -o type=oci of the built image
    checkOciArchive(ociOut, "1", true);
    // save --format oci of the Docker-schema base itself, as pulled
    Path saved = tmp.resolve("base-oci.tar");
    var save = Cli.withRoot(env, root, "save", "--format", "oci", "-o", saved.toString(), base);
    assertEquals(0, save.exit(), save.err());
    checkOciArchive(saved, "1", false);

    // push of the built image: one family throughout
    String app = registry.host() + "/v2s2/app:1";
    var push = Cli.withRoot(env, root, "push", "app:1", app);
    assertEquals(0, push.exit(), push.err());
    JsonObject raw = inspectRaw(app);
    assertEquals(MediaTypes.OCI_MANIFEST, raw.string("mediaType"));
    assertEquals(MediaTypes.OCI_CONFIG, raw.object("config").string("mediaType"));
    assertEquals(3, raw.array("layers").size());
    for (var layer : raw.array("layers").elements()) {
      String type = ((JsonObject) layer).string("mediaType");
      assertTrue(type.startsWith("application/vnd.oci.image.layer."), raw.toString());
    }
    // skopeo reads and copies it (verifying each blob); umoci unpacks the copy
    Path layout = tmp.resolve("pushed-layout");
    Skopeo.run(
        concat(
            List.of("copy"),
            registry.skopeoArgs("src"),
            List.of("docker://" + app, "oci:" + layout + ":app")));
    umociUnpack(layout, "app", tmp.resolve("pushed-bundle"));
    assertEquals("hello\n", Files.readString(tmp.resolve("pushed-bundle/rootfs/f")));
  }

  private void checkOciArchive(Path archive, String tag, boolean hasF) throws Exception {
    Path dir = tmp.resolve(archive.getFileName() + ".d");
    Files.createDirectories(dir);
    run(List.of("tar", "-xf", archive.toString(), "-C", dir.toString()));
    ImageValidator.validateLayout(dir);
    JsonObject index = Json.parseObject(Files.readAllBytes(dir.resolve("index.json")));
    for (var e : index.array("manifests").elements()) {
      assertEquals(MediaTypes.OCI_MANIFEST, ((JsonObject) e).string("mediaType"));
    }
    Skopeo.run(List.of("inspect", "oci-archive:" + archive));
    Path bundle = tmp.resolve(archive.getFileName() + ".bundle");
    umociUnpack(dir, tag, bundle);
    assertTrue(Files.isDirectory(bundle.resolve("rootfs")));
    if (hasF) {
      assertEquals("hello\n", Files.readString(bundle.resolve("rootfs/f")));
    }
  }

  private static void umociUnpack(Path layout, String tag, Path bundle) throws Exception {
    run(List.of("umoci", "unpack", "--image", layout + ":" + tag, bundle.toString()));
  }

  private JsonObject inspectRaw(String ref) {
    return Json.parseObject(
        Skopeo.run(
            concat(
                List.of("inspect", "--raw"), registry.skopeoArgs(""), List.of("docker://" + ref))));
  }

  private static void run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new AssertionError(cmd + " failed:\n" + out);
    }
  }

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    var out = new ArrayList<String>();
    for (var l : lists) {
      out.addAll(l);
    }
    return out;
  }
}
