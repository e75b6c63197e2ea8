package dev.jbuild.cli.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.Skopeo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, the index half: manifest lists made of an amd64 and an arm64 image (built {@code FROM
 * scratch} with COPY only, so no emulation), pushed, pulled back with {@code --all-platforms} and
 * carried through images, inspect, run, save and rmi; checked with skopeo and umoci.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MultiPlatformIT {
  @AutoClose private final LocalRegistry registry = LocalRegistry.start();
  @TempDir Path tmp;

  /** Builds app:amd64 and app:arm64 (each /f says its architecture) and the list app:multi. */
  private Map<String, String> twoPlatforms(Path root) throws Exception {
    var env = Cli.env(tmp);
    for (String arch : List.of("amd64", "arm64")) {
      Path ctx = tmp.resolve("ctx-" + arch);
      Files.createDirectories(ctx);
      Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY f /f\n");
      Files.writeString(ctx.resolve("f"), arch + "\n");
      ok(
          Cli.withRoot(
              env,
              root,
              "build",
              "-q",
              "--platform",
              "linux/" + arch,
              "-t",
              "app:" + arch,
              ctx.toString()));
    }
    var create = ok(Cli.withRoot(env, root, "manifest", "create", "app:multi", "app:amd64"));
    assertTrue(create.out().strip().matches("[0-9a-f]{64}"), create.out());
    var add = ok(Cli.withRoot(env, root, "manifest", "add", "app:multi", "app:arm64"));
    assertTrue(add.out().strip().matches("[0-9a-f]{64}: sha256:[0-9a-f]{64}"), add.out());
    return env;
  }

  @Test
  void manifestListPushedPulledSavedAndRemoved() throws Exception {
    Path root = tmp.resolve("root");
    var env = twoPlatforms(root);

    // manifest inspect: the index with both platforms
    JsonObject index =
        Json.parseObject(ok(Cli.withRoot(env, root, "manifest", "inspect", "app:multi")).out());
    assertEquals(MediaTypes.OCI_INDEX, index.string("mediaType"));
    assertEquals(List.of("amd64", "arm64"), architectures(index));

    // images: one line for the list, platforms shown
    String images = ok(Cli.withRoot(env, root, "images", "app:multi")).out();
    assertTrue(images.lines().findFirst().orElseThrow().endsWith("PLATFORMS"), images);
    assertTrue(images.contains("linux/amd64,linux/arm64"), images);
    assertEquals(2, images.lines().count(), images);

    // without --all the registry must already have the images: a clear error, nothing pushed
    String dest = registry.host() + "/multi/app:1";
    var onlyIndex = Cli.withRoot(env, root, "manifest", "push", "app:multi", dest);
    assertEquals(4, onlyIndex.exit(), onlyIndex.err());
    assertTrue(onlyIndex.err().contains("push with --all"), onlyIndex.err());
    assertTrue(onlyIndex.err().contains("(linux/amd64)"), onlyIndex.err());

    ok(Cli.withRoot(env, root, "manifest", "push", "--all", "app:multi", dest));
    JsonObject raw = Json.parseObject(skopeo("inspect", "--raw", "docker://" + dest));
    assertEquals(MediaTypes.OCI_INDEX, raw.string("mediaType"));
    assertEquals(List.of("amd64", "arm64"), architectures(raw));
    JsonObject arm =
        Json.parseObject(skopeo("inspect", "--override-arch", "arm64", "docker://" + dest));
    assertEquals("arm64", arm.string("Architecture"));
    JsonObject amd =
        Json.parseObject(skopeo("inspect", "--override-arch", "amd64", "docker://" + dest));
    assertEquals("amd64", amd.string("Architecture"));
    // the images as stored (layers uncompressed, so their manifests keep their digests), then the
    // index alone goes through to another tag: the registry has every image it lists
    String plain = registry.host() + "/multi/plain:1";
    ok(
        Cli.withRoot(
            env, root, "manifest", "push", "--all", "--compression", "none", "app:multi", plain));
    ok(
        Cli.withRoot(
            env, root, "manifest", "push", "app:multi", registry.host() + "/multi/plain:2"));
    assertEquals(
        index.array("manifests"),
        Json.parseObject(
                skopeo("inspect", "--raw", "docker://" + registry.host() + "/multi/plain:2"))
            .array("manifests"));

    // pull --all-platforms into a fresh store
    Path fresh = tmp.resolve("fresh");
    ok(Cli.withRoot(env, fresh, "pull", "--all-platforms", dest));
    String pulled = ok(Cli.withRoot(env, fresh, "images")).out();
    assertEquals(2, pulled.lines().count(), pulled);
    assertTrue(pulled.contains("linux/amd64,linux/arm64"), pulled);
    JsonObject inspected =
        (JsonObject)
            ((JsonArray) Json.parse(ok(Cli.withRoot(env, fresh, "inspect", dest)).out()))
                .elements()
                .getFirst();
    assertEquals(Json.ofStrings(List.of("linux/amd64", "linux/arm64")), inspected.get("Platforms"));
    assertEquals(
        "arm64\n",
        ok(Cli.withRoot(
                env,
                fresh,
                "inspect",
                "--platform",
                "linux/arm64",
                "-f",
                "{{.Architecture}}",
                dest))
            .out());

    // push of the pulled index to another repository of the registry: every blob is mounted
    // from the repository it came from, and the index keeps its digest
    String other = registry.host() + "/other/app:1";
    var push = ok(Cli.withRoot(env, fresh, "push", dest, other));
    assertTrue(push.out().contains("Mounted from multi/app"), push.out());
    assertFalse(push.out().contains(": Pushed"), push.out());
    assertEquals(
        Json.parseObject(skopeo("inspect", "docker://" + dest)).string("Digest"),
        Json.parseObject(skopeo("inspect", "docker://" + other)).string("Digest"));

    // run --platform of a platform the index lacks names those it has
    var run = Cli.withRoot(env, fresh, "run", "--rm", "--platform", "linux/s390x", dest);
    assertEquals(4, run.exit(), run.err());
    assertTrue(
        run.err().contains("linux/s390x") && run.err().contains("linux/amd64, linux/arm64"),
        run.err());

    // save --format oci: the index and both images; skopeo picks either, umoci lists the tag
    Path oci = tmp.resolve("multi-oci.tar");
    ok(Cli.withRoot(env, fresh, "save", "--format", "oci", "-o", oci.toString(), dest));
    JsonObject saved = Json.parseObject(skopeo("inspect", "--raw", "oci-archive:" + oci));
    assertEquals(List.of("amd64", "arm64"), architectures(saved));
    assertEquals(
        "arm64",
        Json.parseObject(skopeo("inspect", "--override-arch", "arm64", "oci-archive:" + oci))
            .string("Architecture"));
    Path layout = tmp.resolve("multi-layout");
    Files.createDirectories(layout);
    exec(List.of("tar", "-xf", oci.toString(), "-C", layout.toString()));
    assertEquals("1", exec(List.of("umoci", "ls", "--layout", layout.toString())).strip());

    // load of that archive: the index comes back as one multi-platform image
    Path loaded = tmp.resolve("loaded");
    ok(Cli.withRoot(env, loaded, "load", "-i", oci.toString()));
    String loadedImages = ok(Cli.withRoot(env, loaded, "images")).out();
    assertTrue(loadedImages.contains("linux/amd64,linux/arm64"), loadedImages);
    assertEquals(
        "arm64\n",
        ok(Cli.withRoot(
                env,
                loaded,
                "inspect",
                "--platform",
                "linux/arm64",
                "-f",
                "{{.Architecture}}",
                dest))
            .out());

    // save --format docker: one platform, chosen with --platform; a missing one names the others
    Path docker = tmp.resolve("multi-arm64.tar");
    ok(
        Cli.withRoot(
            env, fresh, "save", "--platform", "linux/arm64", "-o", docker.toString(), dest));
    assertEquals(
        "arm64",
        Json.parseObject(skopeo("inspect", "docker-archive:" + docker)).string("Architecture"));
    var missing =
        Cli.withRoot(
            env,
            fresh,
            "save",
            "--platform",
            "linux/s390x",
            "-o",
            tmp.resolve("x.tar").toString(),
            dest);
    assertEquals(4, missing.exit(), missing.err());
    assertTrue(missing.err().contains("linux/amd64, linux/arm64"), missing.err());

    // rmi of the index, then prune: both images go with it
    long blobsBefore = blobCount(fresh);
    assertTrue(blobsBefore >= 6, "index, 2 manifests, 2 configs, layers: " + blobsBefore);
    ok(Cli.withRoot(env, fresh, "prune"));
    assertEquals(blobsBefore, blobCount(fresh), "prune keeps the images of a tagged index");
    ok(Cli.withRoot(env, fresh, "rmi", dest));
    ok(Cli.withRoot(env, fresh, "prune"));
    assertEquals(0, blobCount(fresh));
    assertEquals(1, ok(Cli.withRoot(env, fresh, "images")).out().lines().count());
  }

  @Test
  void manifestRemoveAndRm() throws Exception {
    Path root = tmp.resolve("root-rm");
    var env = twoPlatforms(root);
    JsonObject index =
        Json.parseObject(ok(Cli.withRoot(env, root, "manifest", "inspect", "app:multi")).out());
    String armDigest = ((JsonObject) index.array("manifests").elements().get(1)).string("digest");
    var removed = ok(Cli.withRoot(env, root, "manifest", "remove", "app:multi", armDigest));
    assertTrue(removed.out().strip().endsWith(": " + armDigest), removed.out());
    JsonObject after =
        Json.parseObject(ok(Cli.withRoot(env, root, "manifest", "inspect", "app:multi")).out());
    assertEquals(List.of("amd64"), architectures(after));
    var again = Cli.withRoot(env, root, "manifest", "remove", "app:multi", armDigest);
    assertEquals(4, again.exit(), again.err());
    // --arch overrides what is recorded
    ok(
        Cli.withRoot(
            env,
            root,
            "manifest",
            "add",
            "--arch",
            "arm",
            "--variant",
            "v7",
            "app:multi",
            "app:arm64"));
    JsonObject annotated =
        Json.parseObject(ok(Cli.withRoot(env, root, "manifest", "inspect", "app:multi")).out());
    JsonObject p = ((JsonObject) annotated.array("manifests").elements().get(1)).object("platform");
    assertEquals("arm", p.string("architecture"));
    assertEquals("v7", p.string("variant"));
    // a second create of the same name is refused; rm of an image is refused; rm of the list works
    assertEquals(1, Cli.withRoot(env, root, "manifest", "create", "app:multi").exit());
    assertEquals(1, Cli.withRoot(env, root, "manifest", "rm", "app:amd64").exit());
    var rm = ok(Cli.withRoot(env, root, "manifest", "rm", "app:multi"));
    assertTrue(rm.out().contains("Untagged: app:multi"), rm.out());
    String images = ok(Cli.withRoot(env, root, "images")).out();
    assertFalse(images.contains("multi"), images);
    assertTrue(images.contains("amd64") && images.contains("arm64"), images);
  }

  @Test
  void manifestAddOfARegistryReference() throws Exception {
    Path root = tmp.resolve("root-remote");
    var env = twoPlatforms(root);
    String dest = registry.host() + "/remote/app:1";
    ok(Cli.withRoot(env, root, "manifest", "push", "--all", "app:multi", dest));
    // a fresh store adds the arm64 image of the remote index, then all of it
    Path fresh = tmp.resolve("fresh-remote");
    ok(Cli.withRoot(env, fresh, "manifest", "create", "mine:1"));
    ok(Cli.withRoot(env, fresh, "manifest", "add", "--platform", "linux/arm64", "mine:1", dest));
    JsonObject one =
        Json.parseObject(ok(Cli.withRoot(env, fresh, "manifest", "inspect", "mine:1")).out());
    assertEquals(List.of("arm64"), architectures(one));
    ok(Cli.withRoot(env, fresh, "manifest", "add", "--all", "mine:1", dest));
    JsonObject all =
        Json.parseObject(ok(Cli.withRoot(env, fresh, "manifest", "inspect", "mine:1")).out());
    assertEquals(List.of("arm64", "amd64"), architectures(all));
    // only the list is tagged; its images survive a prune and push back
    assertEquals(2, ok(Cli.withRoot(env, fresh, "images")).out().lines().count());
    ok(Cli.withRoot(env, fresh, "prune"));
    ok(
        Cli.withRoot(
            env, fresh, "manifest", "push", "--all", "mine:1", registry.host() + "/remote/mine:1"));
    assertEquals(
        List.of("arm64", "amd64"),
        architectures(
            Json.parseObject(
                skopeo("inspect", "--raw", "docker://" + registry.host() + "/remote/mine:1"))));
    // manifest inspect of a registry reference not in the store
    JsonObject remote =
        Json.parseObject(ok(Cli.withRoot(env, fresh, "manifest", "inspect", dest)).out());
    assertEquals(List.of("amd64", "arm64"), architectures(remote));
  }

  private static List<String> architectures(JsonObject index) {
    var out = new ArrayList<String>();
    for (var m : index.array("manifests").elements()) {
      out.add(((JsonObject) m).object("platform").string("architecture"));
    }
    return out;
  }

  private static long blobCount(Path root) throws Exception {
    Path dir = root.resolve("blobs/sha256");
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }

  private String skopeo(String... args) {
    var all = new ArrayList<String>();
    all.add(args[0]);
    if (Stream.of(args).anyMatch(a -> a.startsWith("docker://"))) {
      all.addAll(registry.skopeoArgs(""));
    }
    all.addAll(List.of(args).subList(1, args.length));
    return Skopeo.run(all);
  }

  static Cli.Result ok(Cli.Result r) {
    assertEquals(0, r.exit(), "exit code; stdout:\n" + r.out() + "\nstderr:\n" + r.err());
    return r;
  }

  static String exec(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new AssertionError(cmd + " failed:\n" + out);
    }
    return out;
  }
}
