package dev.jbuild.cli.registry;

import static dev.jbuild.cli.registry.BuildOutputsIT.exec;
import static dev.jbuild.cli.registry.BuildOutputsIT.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.Skopeo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14: {@code --build-context} of each kind jbuild reads (a directory with its own
 * .dockerignore, {@code docker-image://} of a stored and of a pushed image) overriding a stage and
 * an image in FROM and {@code COPY --from}; the kinds it cannot read refused ({@code
 * oci-layout://}: {@code OciLayoutContextIT}); {@code --annotation} at every level, read back from
 * the registry and an OCI archive with skopeo.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NamedContextsIT {
  @AutoClose private final LocalRegistry registry = LocalRegistry.start();
  @TempDir Path tmp;

  private Path dir(String name, Map<String, String> files) throws Exception {
    Path d = tmp.resolve(name);
    Files.createDirectories(d);
    for (var e : files.entrySet()) {
      Files.writeString(d.resolve(e.getKey()), e.getValue());
    }
    return d;
  }

  @Test
  void namedContextsOverrideStagesAndImages() throws Exception {
    var env = Cli.env(tmp);
    Path root = tmp.resolve("root");
    // an image in the store, and one only in the registry
    Path base = dir("base", Map.of("Dockerfile", "FROM scratch\nCOPY f /f\n", "f", "stored\n"));
    ok(Cli.withRoot(env, root, "build", "-q", "-t", "base:1", base.toString()));
    Files.writeString(base.resolve("f"), "pushed\n");
    String pushed = registry.host() + "/ctx/base:1";
    ok(Cli.withRoot(env, root, "build", "-q", "-t", pushed, "--push", base.toString()));
    ok(Cli.withRoot(env, root, "rmi", pushed));

    Path other =
        dir(
            "other",
            Map.of(
                "a.txt",
                "from the named context\n",
                "hidden.txt",
                "x",
                ".dockerignore",
                "hidden.txt\n"));
    Path main =
        dir(
            "main",
            Map.of(
                "Dockerfile",
                """
                FROM scratch AS src
                COPY main.txt /main.txt
                FROM nosuch.invalid/never:1 AS img
                FROM scratch
                COPY --from=src / /src/
                COPY --from=img /f /img
                COPY --from=alpine /f /alpine
                """,
                "main.txt",
                "main context\n"));
    Path out = tmp.resolve("out");
    ok(
        Cli.withRoot(
            env,
            root,
            "build",
            "--build-context",
            "src=" + other,
            "--build-context",
            "img=docker-image://base:1",
            "--build-context",
            "alpine=docker-image://" + pushed,
            "-o",
            "type=local,dest=" + out,
            main.toString()));
    assertEquals("from the named context\n", Files.readString(out.resolve("src/a.txt")));
    assertFalse(Files.exists(out.resolve("src/hidden.txt")), "the context's .dockerignore");
    assertFalse(Files.exists(out.resolve("src/main.txt")), "the stage was replaced");
    assertEquals("stored\n", Files.readString(out.resolve("img")));
    assertEquals("pushed\n", Files.readString(out.resolve("alpine")));

    // FROM a directory context and FROM an image context (by its familiar name)
    Files.writeString(
        main.resolve("Dockerfile"),
        "FROM src\nCOPY --from=docker.io/library/alpine:latest /f /f\n");
    Path out2 = tmp.resolve("out2");
    var second =
        ok(
            Cli.withRoot(
                env,
                root,
                "build",
                "--progress",
                "plain",
                "--build-context",
                "src=" + other,
                "--build-context",
                "alpine=docker-image://base:1",
                "-o",
                "type=local,dest=" + out2,
                main.toString()));
    assertEquals("from the named context\n", Files.readString(out2.resolve("a.txt")));
    assertEquals("stored\n", Files.readString(out2.resolve("f")));
    assertTrue(second.err().contains("[context src"), second.err());

    // the kinds jbuild cannot read, and a missing directory
    for (String bad : List.of("x=ftp://example.invalid/ctx.tar.gz", "Bad=" + other, "x")) {
      var r = Cli.withRoot(env, root, "build", "--build-context", bad, main.toString());
      assertEquals(2, r.exit(), bad + ": " + r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
    }
    // git and archive URLs are contexts now (GitSourceIT); an ssh one needs --ssh default
    var ssh =
        Cli.withRoot(
            env,
            root,
            "build",
            "--build-context",
            "x=git@example.invalid:a/b.git",
            main.toString());
    assertTrue(ssh.exit() != 0, ssh.err());
    assertEquals(1, ssh.err().strip().lines().count(), ssh.err());
    assertTrue(ssh.err().contains("--ssh default"), ssh.err());
    var missing =
        Cli.withRoot(
            env, root, "build", "--build-context", "x=" + tmp.resolve("nope"), main.toString());
    assertEquals(4, missing.exit(), missing.err());
    assertTrue(missing.err().contains("directory not found"), missing.err());
  }

  @Test
  void runMountsANamedContext() throws Exception {
    var env = Cli.env(tmp);
    Path root = tmp.resolve("root-run");
    String busybox = registry.serveBusyboxMulti(tmp.resolve("bases")) + "busybox:latest";
    Path other =
        dir("mounted", Map.of("a.txt", "mounted\n", "b.txt", "x", ".dockerignore", "b.txt\n"));
    Path ctx =
        dir(
            "run",
            Map.of(
                "Dockerfile",
                "FROM "
                    + busybox
                    + "\nRUN --mount=from=src,target=/m cat /m/a.txt > /out; ls /m > /list\n"));
    Path out = tmp.resolve("run-out");
    ok(
        Cli.withRoot(
            env,
            root,
            "build",
            "--build-context",
            "src=" + other,
            "-o",
            "type=local,dest=" + out,
            ctx.toString()));
    assertEquals("mounted\n", Files.readString(out.resolve("out")));
    // the context as the main one is filtered: what its .dockerignore hides is not mounted
    List<String> listed = Files.readAllLines(out.resolve("list"));
    assertTrue(listed.contains("a.txt") && !listed.contains("b.txt"), listed.toString());
  }

  @Test
  void annotationsReachTheManifestTheIndexAndTheLayout() throws Exception {
    var env = Cli.env(tmp);
    Path root = tmp.resolve("root-ann");
    Path ctx = dir("ann", Map.of("Dockerfile", "FROM scratch\nCOPY f /f\n", "f", "x\n"));
    String one = registry.host() + "/ann/one:1";
    Path oci = tmp.resolve("ann.tar");
    ok(
        Cli.withRoot(
            env,
            root,
            "build",
            "-t",
            one,
            "--push",
            "--annotation",
            "org.example.plain=1",
            "--annotation",
            "manifest:org.example.manifest=2",
            "--annotation",
            "index-descriptor:org.example.layout=3",
            "-o",
            "type=oci,dest=" + oci,
            ctx.toString()));
    JsonObject pushed = inspectRaw("docker://" + one);
    // buildx's default provenance: an index of the image and its attestation manifest
    JsonObject m =
        inspectRaw(
            "docker://"
                + registry.host()
                + "/ann/one@"
                + ((JsonObject) pushed.array("manifests").get(0)).string("digest"));
    assertEquals("1", m.object("annotations").string("org.example.plain"), m.toString());
    assertEquals("2", m.object("annotations").string("org.example.manifest"), m.toString());
    // the layout's index.json entry carries the index-descriptor annotation
    Path layout = tmp.resolve("ann-layout");
    Files.createDirectories(layout);
    exec(List.of("tar", "-xf", oci.toString(), "-C", layout.toString()));
    JsonObject index = Json.parseObject(Files.readAllBytes(layout.resolve("index.json")));
    JsonObject entry = (JsonObject) index.array("manifests").get(0);
    assertEquals("3", entry.object("annotations").string("org.example.layout"), index.toString());
    JsonObject layoutIndex =
        Json.parseObject(Skopeo.run(List.of("inspect", "--raw", "oci:" + layout)));
    String image = ((JsonObject) layoutIndex.array("manifests").get(0)).string("digest");
    assertEquals(
        "2",
        Json.parseObject(Files.readAllBytes(layout.resolve("blobs/sha256/" + image.substring(7))))
            .object("annotations")
            .string("org.example.manifest"));

    // two platforms: the index, the descriptors, one platform's manifest
    String multi = registry.host() + "/ann/multi:1";
    ok(
        Cli.withRoot(
            env,
            root,
            "build",
            "--platform",
            "linux/amd64,linux/arm64",
            "-t",
            multi,
            "--push",
            "--annotation",
            "index:org.example.index=i",
            "--annotation",
            "manifest-descriptor:org.example.desc=d",
            "--annotation",
            "manifest[linux/arm64]:org.example.arm=a",
            ctx.toString()));
    JsonObject idx = inspectRaw("docker://" + multi);
    assertEquals("i", idx.object("annotations").string("org.example.index"), idx.toString());
    for (var d : idx.array("manifests").elements()) {
      JsonObject desc = (JsonObject) d;
      if ("unknown".equals(desc.object("platform").string("os"))) {
        continue; // an attestation manifest (buildx's default provenance)
      }
      assertEquals("d", desc.object("annotations").string("org.example.desc"), idx.toString());
      String arch = desc.object("platform").string("architecture");
      JsonObject manifest =
          inspectRaw("docker://" + registry.host() + "/ann/multi@" + desc.string("digest"));
      JsonObject notes = manifest.object("annotations");
      assertEquals(
          arch.equals("arm64") ? "a" : null,
          notes == null ? null : notes.string("org.example.arm"),
          manifest.toString());
    }
  }

  private JsonObject inspectRaw(String ref) {
    var all = new ArrayList<String>(List.of("inspect", "--raw"));
    all.addAll(registry.skopeoArgs(""));
    all.add(ref);
    return Json.parseObject(Skopeo.run(all));
  }
}
