package dev.jbuild.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.cli.InProcessCli.Result;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.store.fixtures.SampleImages;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreCommandsTest {
  @TempDir Path root;
  Descriptor app1;
  Descriptor base;
  Image app1Image;

  Result jbuild(String... args) {
    return InProcessCli.run(root, args);
  }

  @BeforeEach
  void images() throws IOException {
    try (Store s = Store.open(root)) {
      base =
          SampleImages.image(
              s,
              "busybox",
              Instant.parse("2020-01-01T00:00:00Z"),
              List.of(Map.of("bin/", "", "bin/sh", "x")));
      app1 =
          SampleImages.image(
              s,
              "app:1",
              Instant.now().minusSeconds(7200),
              List.of(Map.of("bin/", "", "bin/sh", "x"), Map.of("app", "hello")));
      app1Image = s.images().image(app1);
    }
  }

  @Test
  void imagesListsLikeDocker() {
    Result r = jbuild("images");
    assertEquals(0, r.exit(), r.err());
    String[] lines = r.out().split("\n");
    assertEquals(3, lines.length, r.out());
    assertTrue(lines[0].matches("REPOSITORY +TAG +IMAGE ID +CREATED +SIZE"), lines[0]);
    assertTrue(
        lines[1].matches(
            "app +1 +" + app1Image.id().shortHex() + " +2 hours ago +" + "\\d+(\\.\\d+)?kB"),
        lines[1]);
    assertTrue(lines[2].startsWith("busybox "), lines[2]);
    assertTrue(lines[2].contains(" latest "), lines[2]);
    assertTrue(lines[2].contains(" years ago "), lines[2]);

    Result q = jbuild("images", "-q", "--no-trunc");
    assertEquals(app1Image.id() + "\n", q.out().split("(?<=\n)")[0]);
    Result d = jbuild("images", "--digests", "app");
    assertTrue(d.out().contains(app1.digest().toString()), d.out());
    assertFalse(d.out().contains("busybox"), d.out());
    Result j = jbuild("images", "--format", "json", "--filter", "reference=app:*");
    JsonObject row = Json.parseObject(j.out().trim());
    assertEquals("app", row.string("Repository"));
    assertEquals(app1Image.id().shortHex(), row.string("ID"));
    Result t =
        jbuild(
            "images",
            "--format",
            "{{.Repository}}:{{.Tag}} {{.ID}}",
            "--filter",
            "reference=app:*");
    assertEquals("app:1 " + app1Image.id().shortHex() + "\n", t.out());
    assertEquals(2, jbuild("images", "--format", "{{.Nope").exit());
  }

  @Test
  void danglingFilterShowsRetaggedImages() {
    assertEquals(0, jbuild("tag", "busybox", "app:1").exit());
    Result r = jbuild("images", "--filter", "dangling=true");
    assertEquals(0, r.exit(), r.err());
    String[] lines = r.out().split("\n");
    assertEquals(2, lines.length, r.out());
    assertTrue(lines[1].startsWith("<none> "), lines[1]);
    assertTrue(lines[1].contains(app1Image.id().shortHex()), lines[1]);
    Result notDangling = jbuild("images", "-f", "dangling=false", "-q");
    assertEquals(1, notDangling.out().lines().count(), notDangling.out());
    assertEquals(2, jbuild("images", "--filter", "dangling=maybe").exit());
    assertEquals(2, jbuild("images", "--filter", "label=x").exit());
  }

  @Test
  void inspectLooksLikeDockerImageInspect() {
    Result r = jbuild("inspect", "app:1");
    assertEquals(0, r.exit(), r.err());
    JsonArray arr = (JsonArray) Json.parse(r.out());
    JsonObject o = (JsonObject) arr.get(0);
    assertEquals(app1Image.id().toString(), o.string("Id"));
    assertEquals(List.of("app:1"), o.strings("RepoTags"));
    assertEquals(List.of("app@" + app1.digest()), o.strings("RepoDigests"));
    assertEquals(List.of("sh"), o.object("Config").strings("Cmd"));
    assertEquals(2, o.object("RootFS").strings("Layers").size());
    assertEquals(app1.digest().toString(), o.object("Metadata").string("ManifestDigest"));
    assertEquals(app1Image.size(), o.longValue("Size"));
    assertTrue(r.out().startsWith("[\n    {\n        \"Id\": "), "indented like docker");

    Result f = jbuild("inspect", "-f", "{{.Id}} {{json .Config.Cmd}}", app1Image.id().shortHex());
    assertEquals(app1Image.id() + " [\"sh\"]\n", f.out());
    Result bad = jbuild("inspect", "-f", "{{.Config.Nope}}", app1Image.id().shortHex());
    assertEquals(ExitCodes.USAGE, bad.exit());
    assertTrue(bad.err().contains("template: "), bad.err());
    Result missing = jbuild("inspect", "nope:1");
    assertEquals(ExitCodes.NOT_FOUND, missing.exit());
    assertTrue(missing.err().contains("no such image: nope:1"), missing.err());
  }

  @Test
  void historyNewestFirst() {
    Result r = jbuild("history", "app:1");
    assertEquals(0, r.exit(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(4, lines.size(), r.out());
    assertTrue(lines.get(0).matches("IMAGE +CREATED +CREATED BY +SIZE +COMMENT"), lines.get(0));
    assertTrue(lines.get(1).startsWith(app1Image.id().shortHex()), lines.get(1));
    assertTrue(lines.get(1).contains("CMD [\"sh\"]"), lines.get(1));
    assertTrue(lines.get(1).contains(" 0B "), lines.get(1));
    assertTrue(lines.get(2).startsWith("<missing> "), lines.get(2));
    assertTrue(lines.get(2).contains("COPY layer1"), lines.get(2));
    Result q = jbuild("history", "-q", "--no-trunc", "app:1");
    assertEquals(app1Image.id().toString(), q.out().lines().findFirst().orElseThrow());
    assertEquals(ExitCodes.NOT_FOUND, jbuild("history", "x").exit());
  }

  @Test
  void historySizeIsTheLayersContentAsDockerShowsIt() {
    // docker shows a layer's unpacked content (moby's DiffSize), not its tar blob (headers and
    // padding): "hello" is 5 bytes, the base layer's bin/sh 1 byte
    Result r = jbuild("history", "--human=false", "app:1");
    assertEquals(0, r.exit(), r.err());
    List<String> sizes =
        r.out()
            .lines()
            .skip(1)
            .map(l -> l.trim().split("\\s{2,}"))
            .map(c -> c[c.length - 2])
            .toList();
    assertTrue(sizes.contains("5") && sizes.contains("1"), r.out());
  }

  @Test
  void tagAndRmi() {
    assertEquals(0, jbuild("tag", "app:1", "app:2").exit());
    assertEquals(0, jbuild("tag", app1Image.id().shortHex(), "localhost:5000/app").exit());
    assertEquals(3, jbuild("images", "app").out().lines().count(), jbuild("images").out());
    Result conflict = jbuild("rmi", app1Image.id().shortHex());
    assertEquals(1, conflict.exit());
    assertTrue(conflict.err().contains("must be forced"), conflict.err());
    Result untag = jbuild("rmi", "app:2");
    assertEquals("Untagged: app:2\n", untag.out());
    Result forced = jbuild("rmi", "-f", app1Image.id().toString());
    assertEquals(0, forced.exit(), forced.err());
    assertTrue(forced.out().contains("Untagged: app:1\n"), forced.out());
    assertTrue(forced.out().contains("Untagged: localhost:5000/app:latest\n"), forced.out());
    assertTrue(forced.out().contains("Deleted: " + app1Image.id()), forced.out());
    Result last = jbuild("rmi", "busybox", "nope");
    assertEquals(ExitCodes.NOT_FOUND, last.exit());
    assertTrue(last.out().contains("Untagged: busybox:latest"), last.out());
    assertTrue(last.out().contains("Deleted: sha256:"), last.out());
    assertTrue(last.err().contains("no such image: nope"), last.err());
    assertEquals("", jbuild("images", "-q").out());
    assertEquals(ExitCodes.USAGE, jbuild("tag", "busybox", "Bad:Tag").exit());
  }

  @Test
  void pruneAndDf() throws IOException {
    jbuild("tag", "busybox", "app:1"); // app:1's old image becomes dangling
    Result df = jbuild("system", "df");
    assertEquals(0, df.exit(), df.err());
    List<String> lines = df.out().lines().toList();
    assertTrue(lines.get(0).matches("TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE"), lines.get(0));
    assertTrue(lines.get(1).matches("Images +2 +1 +.*"), lines.get(1));
    Result dry = jbuild("system", "prune", "--dry-run");
    assertTrue(dry.out().contains("Would delete images:"), dry.out());
    Result r = jbuild("prune", "--keep-cache", "24h");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().contains("deleted: " + app1.digest()), r.out());
    assertTrue(r.out().contains("Deleted blobs: 3 "), r.out()); // manifest, config, app layer
    assertTrue(r.out().matches("(?s).*Total reclaimed space: \\d+(\\.\\d+)?kB\n"), r.out());
    assertEquals("", jbuild("images", "-f", "dangling=true", "-q").out());
    try (Store s = Store.open(root)) {
      Image img = s.images().image(s.images().resolve("app:1").orElseThrow());
      for (Descriptor l : img.manifest().layers()) {
        assertTrue(s.blobs().has(l.digest()));
      }
    }
    assertEquals(ExitCodes.USAGE, jbuild("prune", "--keep-cache", "soon").exit());
  }

  @Test
  void pruneWaitsForARunningBuild() throws Exception {
    try (Store s = Store.open(root)) {
      var build = s.lockShared();
      var result = new java.util.concurrent.CompletableFuture<Result>();
      Thread.ofPlatform().start(() -> result.complete(jbuild("prune")));
      Thread.sleep(1500);
      assertFalse(result.isDone(), "prune waits while a build holds the store");
      build.close();
      Result r = result.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(0, r.exit(), r.err());
      assertTrue(r.err().contains("waiting for running builds"), r.err());
      assertTrue(r.out().contains("Total reclaimed space"), r.out());
    }
  }

  @Test
  void formatsHelpers() {
    assertEquals("0B", Formats.size(0));
    assertEquals("999B", Formats.size(999));
    assertEquals("1kB", Formats.size(1000));
    assertEquals("1.23MB", Formats.size(1_234_567));
    assertEquals("1GB", Formats.size(999_999_999));
    assertEquals("About an hour", Formats.humanDuration(java.time.Duration.ofMinutes(61)));
    assertEquals("3 days", Formats.humanDuration(java.time.Duration.ofDays(3)));
    assertEquals(java.time.Duration.ofMinutes(90), Formats.parseDuration("1h30m"));
    assertEquals(java.time.Duration.ofDays(14), Formats.parseDuration("2w"));
  }
}
