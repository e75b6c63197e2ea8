package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code --cache-to}/{@code --cache-from} of every type and {@code --metadata-file}, as docker
 * buildx spells them, against a real registry: a fresh store importing a {@code mode=max} cache
 * reports every step of a multi-stage Dockerfile CACHED, {@code mode=min} and inline only the final
 * stage's; the local cache is an OCI layout skopeo and umoci read; missing sources warn, unknown
 * keys fail with exit 2; the metadata file matches what skopeo reads from the registry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CacheOptionsIT {
  private LocalRegistry registry;
  private Path work;
  private Path ctx;
  private String base;
  private int stores;

  private static final String DOCKERFILE =
      """
      FROM BASE AS build
      RUN echo built > /built.txt
      COPY hello.txt /src/hello.txt
      FROM BASE
      COPY --from=build /built.txt /built.txt
      RUN cat /built.txt > /copy.txt
      ENV A=1
      """;

  @BeforeAll
  void start() throws Exception {
    work = Files.createTempDirectory("jbuild-cacheopts");
    registry = LocalRegistry.start();
    Path seed = work.resolve("seed");
    try (Store store = Store.open(seed)) {
      TestImages.busybox(store, "busybox:latest");
    }
    base = registry.host() + "/library/busybox:latest";
    CorpusCases.Outcome o = jbuild(seed, "push", "-q", "busybox:latest", base);
    assertEquals(0, o.exit(), o.err());
    ctx = Files.createDirectories(work.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), DOCKERFILE.replace("BASE", base));
    Files.writeString(ctx.resolve("hello.txt"), "hello\n");
  }

  @AfterAll
  void stop() throws IOException {
    registry.close();
    CorpusCases.deleteTree(work);
  }

  private Path freshStore() {
    return work.resolve("store-" + (++stores));
  }

  private static CorpusCases.Outcome jbuild(Path root, String... args) {
    List<String> all = new ArrayList<>(List.of("--root", root.toString()));
    all.addAll(List.of(args));
    return CorpusCases.jbuild(all.toArray(String[]::new));
  }

  private CorpusCases.Outcome build(Path root, String... options) {
    List<String> all = new ArrayList<>(List.of("build", "--progress", "plain"));
    all.addAll(List.of(options));
    all.add(ctx.toString());
    CorpusCases.Outcome o = jbuild(root, all.toArray(String[]::new));
    assertEquals(0, o.exit(), o.err());
    return o;
  }

  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ":\n" + out);
    return out;
  }

  /** Each non-FROM step's outcome: "stage text" -> CACHED or DONE. */
  private static Map<String, String> outcomes(String err) {
    Matcher m =
        Pattern.compile("^#\\d+ \\[(\\S+) \\d+/\\d+\\] (.*?) (CACHED|DONE .*)$", Pattern.MULTILINE)
            .matcher(err);
    Map<String, String> out = new LinkedHashMap<>();
    while (m.find()) {
      if (!m.group(2).startsWith("FROM ")) {
        out.put(m.group(1) + " " + m.group(2), m.group(3).startsWith("CACHED") ? "CACHED" : "DONE");
      }
    }
    return out;
  }

  private static final List<String> BUILD_STEPS =
      List.of("build RUN echo built > /built.txt", "build COPY hello.txt /src/hello.txt");
  private static final List<String> FINAL_STEPS =
      List.of(
          "stage-1 COPY --from=build /built.txt /built.txt",
          "stage-1 RUN cat /built.txt > /copy.txt",
          "stage-1 ENV A=1");

  private static void assertSteps(String err, String buildStages, String finalStage) {
    Map<String, String> o = outcomes(err);
    for (String s : BUILD_STEPS) {
      assertEquals(buildStages, o.get(s), s + "\n" + err);
    }
    for (String s : FINAL_STEPS) {
      assertEquals(finalStage, o.get(s), s + "\n" + err);
    }
  }

  @Test
  void modeMaxCachesEveryStageAndModeMinTheFinalOne() throws Exception {
    String max = registry.host() + "/cache/app:max";
    String min = registry.host() + "/cache/app:min";
    Path first = freshStore();
    CorpusCases.Outcome a =
        build(
            first,
            "--cache-to",
            "type=registry,ref=" + max + ",mode=max",
            "--cache-to",
            "type=registry,ref=" + min + ",mode=min,compression=zstd");
    assertSteps(a.err(), "DONE", "DONE");
    assertTrue(a.err().contains("exported 5 cached steps to " + max), a.err());
    assertTrue(a.err().contains("exported 3 cached steps to " + min), a.err());
    // the min cache's layers are zstd in the registry
    JsonObject manifest =
        Json.parseObject(
            run("skopeo", "inspect", "--tls-verify=false", "--raw", "docker://" + min));
    assertEquals(MediaTypes.OCI_MANIFEST, manifest.string("mediaType"));
    for (Json l : manifest.array("layers").elements()) {
      assertEquals(MediaTypes.OCI_LAYER_ZSTD, ((JsonObject) l).string("mediaType"));
    }

    // the shorthand --cache-from REF, on fresh stores
    assertSteps(build(freshStore(), "--cache-from", max).err(), "CACHED", "CACHED");
    assertSteps(build(freshStore(), "--cache-from", min).err(), "DONE", "CACHED");
  }

  @Test
  void anIndexCacheInDockerMediaTypesReadsBack() throws Exception {
    String ref = registry.host() + "/cache/app:index";
    build(
        freshStore(),
        "--cache-to",
        "type=registry,ref=" + ref + ",mode=max,image-manifest=false,oci-mediatypes=false");
    JsonObject top =
        Json.parseObject(
            run("skopeo", "inspect", "--tls-verify=false", "--raw", "docker://" + ref));
    assertEquals(MediaTypes.DOCKER_MANIFEST_LIST, top.string("mediaType"), top.toString());
    assertSteps(
        build(freshStore(), "--cache-from", "type=registry,ref=" + ref).err(), "CACHED", "CACHED");
  }

  @Test
  void inlineCacheTravelsWithThePushedImage() throws Exception {
    String app = registry.host() + "/app:inline";
    build(freshStore(), "--push", "-t", app, "--cache-to", "type=inline");
    JsonObject config =
        Json.parseObject(
            run("skopeo", "inspect", "--tls-verify=false", "--config", "--raw", "docker://" + app));
    JsonObject inline = config.object("jbuild.cache.v1");
    assertNotNull(inline, config.toString());
    assertEquals(3, inline.object("records").size(), inline.toString());
    Path fresh = freshStore();
    CorpusCases.Outcome b = build(fresh, "--cache-from", app, "-t", "again:1");
    assertSteps(b.err(), "DONE", "CACHED");
    assertTrue(b.err().contains("importing cache from " + app + ": 3 new steps"), b.err());
  }

  @Test
  void localCacheIsAnOciLayoutReadBack() throws Exception {
    Path dir = work.resolve("local-cache");
    build(freshStore(), "--cache-to", "type=local,dest=" + dir + ",mode=max");
    assertTrue(Files.isRegularFile(dir.resolve("index.json")));
    assertTrue(Files.isRegularFile(dir.resolve("oci-layout")));
    assertEquals("latest", run("umoci", "ls", "--layout", dir.toString()).strip());
    JsonObject manifest =
        Json.parseObject(run("skopeo", "inspect", "--raw", "oci:" + dir + ":latest"));
    assertEquals(
        "application/vnd.jbuild.cache.config.v1+json",
        manifest.object("config").string("mediaType"));
    assertFalse(manifest.array("layers").elements().isEmpty());
    for (Json l : manifest.array("layers").elements()) {
      JsonObject layer = (JsonObject) l;
      assertEquals(MediaTypes.OCI_LAYER_GZIP, layer.string("mediaType"));
      Digest d = Digest.parse(layer.string("digest"));
      assertEquals(
          layer.longValue("size").longValue(), Files.size(dir.resolve("blobs/sha256/" + d.hex())));
    }
    assertSteps(
        build(freshStore(), "--cache-from", "type=local,src=" + dir).err(), "CACHED", "CACHED");

    // mode=min into the same directory replaces what index.json names
    build(freshStore(), "--cache-to", "type=local,dest=" + dir);
    assertSteps(
        build(freshStore(), "--cache-from", "type=local,src=" + dir).err(), "DONE", "CACHED");
  }

  @Test
  void missingSourcesWarnAndUnknownKeysAreUsageErrors() throws Exception {
    Path root = freshStore();
    CorpusCases.Outcome o =
        build(
            root,
            "--cache-from",
            registry.host() + "/cache/never:pushed",
            "--cache-from",
            "type=local,src=" + work.resolve("no-such-dir"));
    assertTrue(
        o.err()
            .contains(
                "jbuild: warning: cannot import cache from "
                    + registry.host()
                    + "/cache/never:pushed"),
        o.err());
    assertTrue(
        o.err()
            .contains("jbuild: warning: cannot import cache from " + work.resolve("no-such-dir")),
        o.err());
    assertSteps(o.err(), "DONE", "DONE");

    for (String bad :
        List.of(
            "type=registry,ref=" + registry.host() + "/c:1,colour=red",
            "type=gha",
            "type=registry,ref=" + registry.host() + "/c:1,mode=everything",
            "ref=" + registry.host() + "/c:1")) {
      CorpusCases.Outcome u = jbuild(root, "build", "--cache-to", bad, ctx.toString());
      assertEquals(2, u.exit(), bad + ": " + u.err());
      assertTrue(u.err().startsWith("jbuild: "), u.err());
      assertEquals(1, u.err().strip().lines().count(), u.err());
    }
    CorpusCases.Outcome u =
        jbuild(root, "build", "--cache-from", "type=local,src=/x,digest=sha256:00", ctx.toString());
    assertEquals(2, u.exit(), u.err());
  }

  @Test
  void aFailedExportIsAWarningWithIgnoreError() throws Exception {
    Path file = Files.writeString(work.resolve("not-a-dir"), "x");
    Path root = freshStore();
    CorpusCases.Outcome ok =
        build(root, "--cache-to", "type=local,dest=" + file.resolve("sub") + ",ignore-error=true");
    assertTrue(
        ok.err().contains("jbuild: warning: cannot export cache to " + file.resolve("sub")),
        ok.err());
    CorpusCases.Outcome fails =
        jbuild(
            root, "build", "--cache-to", "type=local,dest=" + file.resolve("sub"), ctx.toString());
    assertFalse(fails.exit() == 0, fails.err());
  }

  @Test
  void metadataFileMatchesTheRegistryAndTheStore() throws Exception {
    String app = registry.host() + "/app:meta";
    String other = registry.host() + "/app:meta2";
    Path meta = work.resolve("meta.json");
    Path iid = work.resolve("meta.iid");
    CorpusCases.Outcome o =
        build(
            freshStore(),
            "--push",
            "--provenance=false", // a plain manifest (AttestationsIT: the metadata of an index)
            "-t",
            app,
            "-t",
            other,
            "--iidfile",
            iid.toString(),
            "--metadata-file",
            meta.toString());
    JsonObject m = Json.parseObject(Files.readString(meta));
    Digest pushed =
        Digest.parse(
            Json.parseObject(run("skopeo", "inspect", "--tls-verify=false", "docker://" + app))
                .string("Digest"));
    byte[] raw = runBytes("skopeo", "inspect", "--tls-verify=false", "--raw", "docker://" + app);
    if (!Digest.sha256(raw).equals(pushed) && raw.length > 0 && raw[raw.length - 1] == '\n') {
      raw = java.util.Arrays.copyOf(raw, raw.length - 1); // a newline skopeo may add
    }
    assertEquals(pushed, Digest.sha256(raw));
    assertEquals(pushed.toString(), m.string("containerimage.digest"));
    JsonObject d = m.object("containerimage.descriptor");
    assertEquals(pushed.toString(), d.string("digest"));
    assertEquals(raw.length, d.longValue("size").longValue());
    JsonObject manifest = Json.parseObject(raw);
    assertEquals(manifest.string("mediaType"), d.string("mediaType"));
    assertEquals(
        manifest.object("config").string("digest"), m.string("containerimage.config.digest"));
    assertEquals(Files.readString(iid), m.string("containerimage.config.digest"));
    assertEquals(app + "," + other, m.string("image.name"));
    // the pushed digest on its own line
    assertTrue(o.err().lines().anyMatch(l -> l.equals("pushed " + app + "@" + pushed)), o.err());
  }

  private static byte[] runBytes(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor(), String.join(" ", cmd));
    return out;
  }
}
