package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A {@code mode=max} registry cache imported on a fresh store is lazy, as BuildKit's: a full cache
 * hit downloads only what the final image holds, never the base layers nor the step layers of a
 * builder stage; a later build whose builder stage misses fetches what its RUN needs and works; a
 * {@code --cache-to} of that stage's records fetches them too. Checked in the store's blobs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LazyCacheImportIT {
  private LocalRegistry registry;
  private Path work;
  private Path ctx;
  private String builderBase;
  private String finalBase;
  private String cache;
  private Digest builderOnlyLayer;

  private static final String DOCKERFILE =
      """
      FROM BUILDER AS build
      RUN echo built > /built.txt && cat /layers/1 >> /built.txt && echo x > /other.txt
      ARG MORE
      RUN if [ -n "$MORE" ]; then echo "$MORE" >> /built.txt; fi
      FROM FINAL
      COPY --from=build /built.txt /built.txt
      ENV A=1
      """;

  @BeforeAll
  void start() throws Exception {
    work = Files.createTempDirectory("jbuild-lazycache");
    registry = LocalRegistry.start();
    Path seed = work.resolve("seed");
    Digest builderOnlyDiffId;
    try (Store store = Store.open(seed)) {
      TestImages.busybox(store, "busybox:latest");
      Descriptor builder = TestImages.busybox(store, "builder:1", TestImages.Options.layers(2));
      ImageManifest m = store.images().manifest(builder.digest());
      builderOnlyDiffId = store.images().config(m.config().digest()).diffIds().get(1);
    }
    finalBase = registry.host() + "/library/busybox:latest";
    builderBase = registry.host() + "/library/builder:1";
    assertEquals(0, jbuild(seed, "push", "-q", "busybox:latest", finalBase).exit());
    assertEquals(0, jbuild(seed, "push", "-q", "builder:1", builderBase).exit());
    // the push compressed the layer: the registry's blob is the compressed one
    try (Store store = Store.open(seed)) {
      builderOnlyLayer =
          store.layers().blobsFor(builderOnlyDiffId).stream()
              .map(Descriptor::digest)
              .filter(d -> !d.equals(builderOnlyDiffId))
              .findFirst()
              .orElseThrow();
    }
    ctx = Files.createDirectories(work.resolve("ctx"));
    Files.writeString(
        ctx.resolve("Dockerfile"),
        DOCKERFILE.replace("BUILDER", builderBase).replace("FINAL", finalBase));
    cache = registry.host() + "/cache/lazy:max";
    build(
        work.resolve("first"),
        "-t",
        "app:1",
        "--cache-to",
        "type=registry,ref=" + cache + ",mode=max");
  }

  @AfterAll
  void stop() throws IOException {
    registry.close();
    CorpusCases.deleteTree(work);
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

  /** The layer blobs of the build stage's cache records (its RUN steps). */
  private Set<Digest> builderStepLayers(Path root) throws IOException {
    Set<Digest> finalLayers = new HashSet<>();
    Set<Digest> all = new HashSet<>();
    try (Store store = Store.open(root)) {
      Descriptor app = store.images().resolve("app:1").orElseThrow();
      finalLayers.addAll(
          store.images().manifest(app.digest()).layers().stream().map(Descriptor::digest).toList());
      for (String k : store.cache().keys()) {
        for (CacheRecord.Layer l : store.cache().get(k).orElseThrow().layers()) {
          all.add(l.blob().digest());
        }
      }
    }
    all.removeAll(finalLayers);
    return all;
  }

  /** /built.txt of the stored image {@code name}, read from its {@code jbuild save} archive. */
  private String exported(Path root, String name) throws Exception {
    Path dir = work.resolve("out-" + root.getFileName() + "-" + name.replace(':', '-'));
    Path tar = dir.resolve("image.tar");
    Files.createDirectories(dir);
    CorpusCases.Outcome o = jbuild(root, "save", "-o", tar.toString(), name);
    assertEquals(0, o.exit(), o.err());
    Path unpacked = Files.createDirectories(dir.resolve("x"));
    Process p =
        new ProcessBuilder(
                "sh",
                "-c",
                "tar -xf image.tar -C x && for l in x/*/layer.tar; do tar -xOf $l built.txt 2>/dev/null;"
                    + " done; true")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  private static boolean hasBlob(Path root, Digest d) {
    return Files.exists(root.resolve("blobs").resolve(d.algorithm()).resolve(d.hex()));
  }

  @Test
  void aFullHitFetchesOnlyTheFinalImagesBlobsAndAMissLaterFetchesWhatItNeeds() throws Exception {
    Path fresh = work.resolve("fresh");
    String err = build(fresh, "-t", "app:1", "--cache-from", cache).err();
    Map<String, String> o = outcomes(err);
    assertFalse(o.isEmpty(), err);
    o.forEach((step, outcome) -> assertEquals("CACHED", outcome, step + "\n" + err));

    Set<Digest> builderSteps = builderStepLayers(fresh);
    // the first RUN's layer (the second RUN changes nothing without MORE: no layer)
    assertEquals(1, builderSteps.size(), "the build stage's layers: " + builderSteps);
    // not downloaded: the builder base's own layer, the build stage's layers
    assertFalse(hasBlob(fresh, builderOnlyLayer), "the builder base layer was fetched");
    for (Digest d : builderSteps) {
      assertFalse(hasBlob(fresh, d), "a build stage layer was fetched: " + d);
    }
    // the final image is whole in the store and runs
    try (Store store = Store.open(fresh)) {
      Descriptor app = store.images().resolve("app:1").orElseThrow();
      assertTrue(store.images().complete(app));
    }
    assertEquals("built\nlayer 1\n", exported(fresh, "app:1"));

    // a no-op rebuild in that store: every step CACHED, still nothing of the build stage fetched
    String noop = build(fresh, "-t", "app:1").err();
    outcomes(noop).forEach((step, outcome) -> assertEquals("CACHED", outcome, step));
    assertFalse(hasBlob(fresh, builderOnlyLayer));

    // the build stage's second RUN misses: its base and first RUN layer are fetched and unpacked
    String miss = build(fresh, "-t", "app:2", "--build-arg", "MORE=more").err();
    Map<String, String> m = outcomes(miss);
    assertEquals(
        "CACHED",
        m.get(
            "build RUN echo built > /built.txt && cat /layers/1 >> /built.txt && echo x > /other.txt"));
    assertEquals(
        "DONE",
        m.get("build RUN if [ -n \"$MORE\" ]; then echo \"$MORE\" >> /built.txt; fi"),
        miss);
    assertTrue(hasBlob(fresh, builderOnlyLayer), "the builder base layer was not fetched");
    assertEquals("built\nlayer 1\nmore\n", exported(fresh, "app:2"));
  }

  @Test
  void aCacheExportFetchesTheLayersItPushes() throws Exception {
    Path fresh = work.resolve("fresh-export");
    String again = registry.host() + "/cache/lazy:again";
    build(
        fresh,
        "-t",
        "app:1",
        "--cache-from",
        cache,
        "--cache-to",
        "type=registry,ref=" + again + ",mode=max");
    for (Digest d : builderStepLayers(fresh)) {
      assertTrue(hasBlob(fresh, d), "exported but not fetched: " + d);
    }
    // the re-exported cache serves a third store
    String err = build(work.resolve("third"), "-t", "app:1", "--cache-from", again).err();
    outcomes(err).forEach((step, outcome) -> assertEquals("CACHED", outcome, step + "\n" + err));
  }

  @Test
  void pruneKeepsTheRemoteLayersOfLiveRecords() throws Exception {
    Path fresh = work.resolve("fresh-prune");
    build(fresh, "-t", "app:1", "--cache-from", cache);
    assertEquals(0, jbuild(fresh, "prune").exit());
    String err = build(fresh, "-t", "app:1").err();
    outcomes(err).forEach((step, outcome) -> assertEquals("CACHED", outcome, step + "\n" + err));
    build(fresh, "-t", "app:3", "--build-arg", "MORE=x");
    assertEquals("built\nlayer 1\nx\n", exported(fresh, "app:3"));
  }
}
