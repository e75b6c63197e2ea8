package dev.jbuild.cli.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.testing.ImageValidator;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.Skopeo;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, outputs: {@code -o type=oci} with compressed layers (gzip by default, zstd,
 * uncompressed) checked with skopeo, umoci and the layout validator, {@code dest=-} through a real
 * pipe, {@code type=registry} and {@code type=image,push=true} read back from the registry, {@code
 * type=cacheonly}, {@code --load} into the docker daemon (or its clear error when none answers),
 * {@code --progress rawjson}, and every unsupported key or value refused with exit 2.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildOutputsIT {
  @AutoClose private final LocalRegistry registry = LocalRegistry.start();
  @TempDir Path tmp;
  private Path ctx;
  private Path root;
  private Map<String, String> env;

  /**
   * The shared context and store, made on first use (the temp dir is injected after @BeforeAll).
   */
  private void context() throws IOException {
    if (ctx != null && ctx.startsWith(tmp)) {
      return; // JUnit gives each test its own temp dir: one context and store per test
    }
    ctx = tmp.resolve("ctx");
    Files.createDirectories(ctx);
    Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY f /f\nCOPY g /d/g\n");
    Files.writeString(ctx.resolve("f"), "hello\n");
    Files.writeString(ctx.resolve("g"), "x".repeat(10_000));
    root = tmp.resolve("root");
    env = Cli.env(tmp);
  }

  private Cli.Result build(String... args) {
    try {
      context();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    var all = new ArrayList<String>(List.of("build"));
    all.addAll(List.of(args));
    all.add(ctx.toString());
    return Cli.withRoot(env, root, all.toArray(String[]::new));
  }

  /** The layer media types of the one image in an OCI archive, after validating it. */
  private List<String> ociLayerTypes(Path archive) throws Exception {
    Path dir = tmp.resolve(archive.getFileName() + ".d");
    Files.createDirectories(dir);
    exec(List.of("tar", "-xf", archive.toString(), "-C", dir.toString()));
    ImageValidator.validateLayout(dir);
    JsonObject raw = Json.parseObject(Skopeo.run(List.of("inspect", "--raw", "oci:" + dir)));
    if (MediaTypes.OCI_INDEX.equals(raw.string("mediaType"))) {
      // buildx's default provenance: the image, then its attestation manifest
      String image = ((JsonObject) raw.array("manifests").get(0)).string("digest");
      raw = Json.parseObject(Files.readAllBytes(dir.resolve("blobs/sha256/" + image.substring(7))));
    }
    List<String> types = new ArrayList<>();
    for (var l : raw.array("layers").elements()) {
      types.add(((JsonObject) l).string("mediaType"));
    }
    return types;
  }

  @Test
  void ociOutputsCompressLayersAsAsked() throws Exception {
    Path gz = tmp.resolve("gz.tar");
    // umoci finds two manifests under the tag of an index with an attestation manifest ("tag is
    // ambiguous"), as with buildx's default provenance: this layout is without
    ok(build("-t", "app:1", "--provenance=false", "-o", "type=oci,dest=" + gz));
    assertEquals(List.of(MediaTypes.OCI_LAYER_GZIP, MediaTypes.OCI_LAYER_GZIP), ociLayerTypes(gz));
    // umoci unpacks it: the files are there
    Path layout = tmp.resolve("gz.tar.d");
    exec(List.of("umoci", "unpack", "--image", layout + ":1", tmp.resolve("bundle").toString()));
    assertEquals("hello\n", Files.readString(tmp.resolve("bundle/rootfs/f")));

    Path zst = tmp.resolve("zst.tar");
    ok(
        build(
            "-t", "app:1", "-o", "type=oci,dest=" + zst + ",compression=zstd,compression-level=5"));
    assertEquals(List.of(MediaTypes.OCI_LAYER_ZSTD, MediaTypes.OCI_LAYER_ZSTD), ociLayerTypes(zst));
    // skopeo copies it (verifying every blob's digest) and decompresses it into a plain layout
    Skopeo.run(
        List.of(
            "copy",
            "--dest-compress-format",
            "gzip",
            "oci-archive:" + zst,
            "oci:" + tmp.resolve("zst-copy") + ":1"));

    Path plain = tmp.resolve("plain.tar");
    ok(build("-t", "app:1", "-o", "type=oci,dest=" + plain + ",compression=uncompressed"));
    assertEquals(List.of(MediaTypes.OCI_LAYER, MediaTypes.OCI_LAYER), ociLayerTypes(plain));
  }

  @Test
  void destDashWritesOnlyTheArchiveToAPipe() throws Exception {
    context();
    Path out = tmp.resolve("piped.tar");
    List<String> jbuild = new ArrayList<>(Cli.command());
    jbuild.addAll(
        List.of("--root", root.toString(), "build", "-t", "app:1", "-o", "type=oci,dest=-"));
    jbuild.add(ctx.toString());
    var first = new ProcessBuilder(jbuild).redirectError(tmp.resolve("piped.err").toFile());
    first.environment().putAll(env);
    var second = new ProcessBuilder("cat").redirectOutput(out.toFile());
    List<Process> pipe = ProcessBuilder.startPipeline(List.of(first, second));
    for (Process p : pipe) {
      assertTrue(p.waitFor(180, TimeUnit.SECONDS));
    }
    assertEquals(0, pipe.getFirst().exitValue(), Files.readString(tmp.resolve("piped.err")));
    assertEquals(List.of(MediaTypes.OCI_LAYER_GZIP, MediaTypes.OCI_LAYER_GZIP), ociLayerTypes(out));

    // -q prints the ID on stdout: refused with an output to stdout
    var quiet = build("-q", "-o", "type=tar,dest=-");
    assertEquals(2, quiet.exit(), quiet.err());
    assertTrue(quiet.err().contains("-q prints the image ID on stdout"), quiet.err());
  }

  @Test
  void registryAndImageOutputsPush() throws Exception {
    String r = registry.host() + "/out/registry:1";
    ok(build("-o", "type=registry,name=" + r));
    JsonObject raw = inspectRaw(r);
    for (var l : raw.array("layers").elements()) {
      assertEquals(MediaTypes.OCI_LAYER_GZIP, ((JsonObject) l).string("mediaType"));
    }
    String z = registry.host() + "/out/zstd:1";
    ok(build("-o", "type=image,name=" + z + ",push=true,compression=zstd,force-compression=true"));
    for (var l : inspectRaw(z).array("layers").elements()) {
      assertEquals(MediaTypes.OCI_LAYER_ZSTD, ((JsonObject) l).string("mediaType"));
    }
    // Docker media types on request (without attestations: BuildKit forces OCI types for them)
    String d = registry.host() + "/out/docker:1";
    ok(build("--provenance=false", "-o", "type=registry,name=" + d + ",oci-mediatypes=false"));
    assertEquals(MediaTypes.DOCKER_MANIFEST, inspectRaw(d).string("mediaType"));
    // image without push: named in the store only
    ok(build("-o", "type=image,name=local/only:1"));
    assertTrue(
        ok(Cli.withRoot(env, root, "inspect", "-f", "{{.Id}}", "local/only:1"))
            .out()
            .startsWith("sha256:"));
  }

  @Test
  void cacheonlyBuildsAndWritesNothing() {
    var r = ok(build("-o", "type=cacheonly"));
    assertTrue(r.out().isEmpty(), r.out());
  }

  @Test
  void loadGoesToTheDockerDaemonOrSaysThereIsNone() throws Exception {
    boolean daemon;
    try (var ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of("/var/run/docker.sock"));
      daemon = true;
    } catch (IOException e) {
      daemon = false;
    }
    var r = build("-t", "jbuild-load-it:1", "--load");
    if (daemon) {
      ok(r);
      try {
        String id =
            exec(List.of("docker", "image", "inspect", "-f", "{{.Id}}", "jbuild-load-it:1"));
        assertTrue(id.strip().startsWith("sha256:"), id);
      } finally {
        new ProcessBuilder("docker", "rmi", "-f", "jbuild-load-it:1").start().waitFor();
      }
    } else {
      assertEquals(1, r.exit(), r.err());
      assertTrue(
          r.err().contains("--load: no docker daemon at unix:///var/run/docker.sock"), r.err());
    }
    // no daemon behind another socket: the clear error
    var none = new java.util.HashMap<>(env);
    none.put("DOCKER_HOST", "unix://" + tmp.resolve("no.sock"));
    var all =
        new ArrayList<>(List.of("--root", root.toString(), "build", "--load", ctx.toString()));
    var e = Cli.run(none, null, all.toArray(String[]::new));
    assertEquals(1, e.exit(), e.err());
    assertTrue(
        e.err().contains("--load: no docker daemon at unix://" + tmp.resolve("no.sock")), e.err());
  }

  @Test
  void rawjsonPrintsOneSolveStatusPerLine() {
    ok(build("-t", "app:raw"));
    var r = ok(build("-t", "app:raw", "--progress", "rawjson"));
    boolean cached = false;
    for (String line : r.err().lines().toList()) {
      JsonObject o = Json.parseObject(line); // every line is one JSON object
      assertTrue(o.has("vertexes") || o.has("logs") || o.has("statuses"), line);
      if (o.has("vertexes")) {
        JsonObject v = (JsonObject) o.array("vertexes").get(0);
        assertTrue(v.string("digest").matches("sha256:[0-9a-f]{64}"), line);
        assertFalse(v.string("name").isEmpty(), line);
        cached |= v.has("cached") && v.string("name").contains("COPY f /f");
      }
    }
    assertTrue(cached, r.err());
  }

  @Test
  void unsupportedKeysAndValuesAreUsageErrors() {
    for (String[] bad :
        new String[][] {
          {"-o", "type=oci,dest=x.tar,foo=bar"},
          {"-o", "type=image,dest=x"},
          {"-o", "type=docker,dest=x.tar,compression=zstd"},
          {"-o", "type=oci,dest=x.tar,compression=lz4"},
          {"-o", "type=oci,dest=x.tar,compression=gzip,compression-level=12"},
          {"-o", "type=oci,dest=x.tar,oci-mediatypes=false"},
          {"-o", "type=local,dest=-"},
          {"-o", "type=weird,dest=x"},
          {"-o", "type=registry"},
          {"-o", "type=registry,push=false,name=a/b:1"},
          {"-o", "type=cacheonly,dest=x"},
          {"-o", "type=image,name=a/b:1,rewrite-timestamp=true"},
          {"-o", "type=tar,dest=-", "-o", "type=oci,dest=-"},
          {"--annotation", "index:k=v"},
          {"--annotation", "bogus:k=v"},
          {"--annotation", "index-descriptor:k=v"},
          {"--progress", "json"},
        }) {
      var r = build(bad);
      assertEquals(2, r.exit(), String.join(" ", bad) + ": " + r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
    }
  }

  /** The image manifest of {@code ref}, past the index buildx's default provenance puts it in. */
  private JsonObject inspectRaw(String ref) {
    var all = new ArrayList<String>(List.of("inspect", "--raw"));
    all.addAll(registry.skopeoArgs(""));
    all.add("docker://" + ref);
    JsonObject raw = Json.parseObject(Skopeo.run(all));
    if (MediaTypes.OCI_INDEX.equals(raw.string("mediaType"))) {
      String image = ((JsonObject) raw.array("manifests").get(0)).string("digest");
      String repo = ref.substring(0, ref.lastIndexOf(':'));
      return inspectRaw(repo + "@" + image);
    }
    return raw;
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
