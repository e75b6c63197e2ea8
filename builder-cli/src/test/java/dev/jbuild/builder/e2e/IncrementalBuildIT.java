package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rebuilds: what is CACHED, what reruns, what the plain progress says changed, reproducibility. */
class IncrementalBuildIT {
  Path work;
  Path ctx;

  static final String DOCKERFILE =
      """
      FROM busybox
      RUN echo first > /first.txt
      COPY a.txt /a.txt
      RUN cat /a.txt > /a-copy.txt
      COPY b.txt /b.txt
      ARG LATE=1
      RUN echo "late $LATE" > /late.txt
      CMD ["cat", "/b.txt"]
      """;

  @BeforeEach
  void setUp() throws IOException {
    work = Files.createTempDirectory("jbuild-incremental");
    ctx = Files.createDirectories(work.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), DOCKERFILE);
    Files.writeString(ctx.resolve("a.txt"), "a1\n");
    Files.writeString(ctx.resolve("b.txt"), "b1\n");
    for (String s : List.of("store", "store2")) {
      try (Store store = Store.open(work.resolve(s))) {
        TestImages.busybox(store, "busybox:latest");
      }
    }
  }

  @AfterEach
  void tearDown() throws IOException {
    CorpusCases.deleteTree(work);
  }

  /** Builds and returns the lines of --progress plain: step title -> CACHED or DONE (reason). */
  private CorpusCases.Outcome build(String store, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--root",
                work.resolve(store).toString(),
                "build",
                "--progress",
                "plain",
                "-t",
                "inc:1"));
    args.addAll(List.of(extra));
    args.add(ctx.toString());
    CorpusCases.Outcome o = CorpusCases.jbuild(args.toArray(String[]::new));
    assertEquals(0, o.exit(), o.err());
    return o;
  }

  private static final Pattern SUMMARY =
      Pattern.compile(
          "^#\\d+ \\[\\d+/\\d+\\] (.*?) (CACHED|DONE [0-9.]+s(?: \\((.*)\\))?)$",
          Pattern.MULTILINE);

  /** instruction text -> "CACHED" or "DONE" or "DONE: reason". */
  private static List<String> summary(String err) {
    List<String> out = new ArrayList<>();
    Matcher m = SUMMARY.matcher(err);
    while (m.find()) {
      String status = m.group(2).startsWith("CACHED") ? "CACHED" : "DONE";
      if (m.group(3) != null) {
        status += ": " + m.group(3);
      }
      out.add(m.group(1) + " -> " + status);
    }
    return out;
  }

  private static String imageId(CorpusCases.Outcome o) {
    Matcher m = Pattern.compile("writing image (sha256:[0-9a-f]{64})").matcher(o.err());
    assertTrue(m.find(), o.err());
    return m.group(1);
  }

  @Test
  void unchangedRebuildIsAllCachedAndTheSameImage() {
    String first = imageId(build("store"));
    CorpusCases.Outcome again = build("store");
    List<String> s = summary(again.err());
    assertEquals(8, s.size(), again.err());
    for (String line : s) {
      assertTrue(line.endsWith("-> CACHED"), "not cached: " + line + "\n" + again.err());
    }
    assertEquals(first, imageId(again));
  }

  @Test
  void changedFileRebuildsFromItsCopyOnAndSaysWhy() throws IOException {
    build("store");
    Files.writeString(ctx.resolve("b.txt"), "b2\n");
    CorpusCases.Outcome o = build("store");
    List<String> s = summary(o.err());
    assertEquals(
        List.of(
            "FROM busybox -> CACHED",
            "RUN echo first > /first.txt -> CACHED",
            "COPY a.txt /a.txt -> CACHED",
            "RUN cat /a.txt > /a-copy.txt -> CACHED",
            "COPY b.txt /b.txt -> DONE: file b.txt changed",
            "ARG LATE=1 -> DONE: a previous step changed",
            "RUN echo \"late $LATE\" > /late.txt -> DONE: a previous step changed",
            "CMD [\"cat\", \"/b.txt\"] -> DONE: a previous step changed"),
        s,
        o.err());
  }

  /**
   * A COPY layer's unpacked form is built while its blob is written; after an incremental change it
   * hard-links the unchanged files from the previous layer. Either way it must equal what unpacking
   * the blob gives.
   */
  @Test
  void copyTreesMatchTheirBlobsAndLinkWhatDidNotChange() throws Exception {
    Files.createDirectories(ctx.resolve("dir"));
    Files.writeString(ctx.resolve("dir/keep.txt"), "same\n");
    Files.writeString(ctx.resolve("dir/change.txt"), "v1\n");
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM busybox\nCOPY --chown=1:2 dir /dir\nRUN cat /dir/change.txt > /seen\n");
    build("store");
    Files.writeString(ctx.resolve("dir/change.txt"), "v2 longer\n");
    build("store");
    try (Store store = Store.open(work.resolve("store"))) {
      var image = store.images().image(store.images().resolve("inc:1").orElseThrow());
      var layer = image.manifest().layers().get(1);
      var diffId = image.config().diffIds().get(1);
      Path tree = store.layers().ifUnpacked(diffId).orElseThrow();
      Path fromBlob = work.resolve("from-blob");
      dev.jbuild.layercache.tar.LayerApplier.apply(
          store.blobs().path(layer.digest()),
          fromBlob,
          dev.jbuild.layercache.tar.ApplyMode.OVERLAY);
      assertEquals(describe(fromBlob), describe(tree));
      assertEquals("v2 longer\n", Files.readString(tree.resolve("dir/change.txt")));
      assertEquals(2, Files.getAttribute(tree.resolve("dir/keep.txt"), "unix:nlink"), "linked");
      assertEquals(1, Files.getAttribute(tree.resolve("dir/change.txt"), "unix:nlink"), "written");
    }
  }

  /** Every entry of a tree with its metadata and content, as one comparable text. */
  private static String describe(Path root) throws IOException {
    StringBuilder b = new StringBuilder();
    dev.jbuild.layercache.tar.DirectoryWalker.walk(
        root,
        dev.jbuild.layercache.tar.DirectoryWalker.Options.defaults(),
        (entry, source) -> {
          b.append(entry).append('\n');
          if (entry.type() == dev.jbuild.layercache.tar.EntryType.FILE) {
            b.append(Files.readString(source)).append('\n');
          }
        });
    return b.toString();
  }

  /**
   * A rebuilt COPY layer resumes the previous one at its last unchanged checkpoint (every 4 KiB
   * here): the result is byte for byte what a clean build writes.
   */
  @Test
  void resumedCopyLayersEqualCleanOnes() throws Exception {
    withSmallCheckpoints(
        () -> {
          Files.createDirectories(ctx.resolve("data"));
          java.util.Random r = new java.util.Random(3);
          for (int i = 0; i < 30; i++) {
            byte[] b = new byte[3000 + r.nextInt(3000)];
            r.nextBytes(b);
            Files.write(ctx.resolve("data/f" + (char) ('a' + i % 26) + i), b);
          }
          Files.writeString(
              ctx.resolve("Dockerfile"), "FROM busybox\nCOPY data /data\nRUN ls /data > /list\n");
          String[] epoch = {"--build-arg", "SOURCE_DATE_EPOCH=1700000000"};
          build("store", epoch);
          Path late = ctx.resolve("data/fz25");
          Files.write(late, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
          CorpusCases.Outcome resumed = build("store", epoch);
          assertTrue(
              resumed.err().contains("bytes of the previous layer"), "resumed: " + resumed.err());
          String incremental = imageId(resumed);
          String clean = imageId(build("store2", epoch));
          assertEquals(clean, incremental);
          try (Store store = Store.open(work.resolve("store"))) {
            var image = store.images().image(store.images().resolve("inc:1").orElseThrow());
            var diffId = image.config().diffIds().get(1);
            assertTrue(
                Files.isRegularFile(
                    dev.jbuild.builder.copy.CopyWriter.checkpointsPath(store, diffId)),
                "checkpoints were recorded");
            store.blobs().verify(image.manifest().layers().get(1).digest());
          }
        });
  }

  /**
   * Without SOURCE_DATE_EPOCH the directories a COPY creates are stamped with the time of the
   * build; a resumed layer must keep the previous stamp, or its first entry, and so every byte
   * after it, would change.
   */
  @Test
  void resumingWorksWithoutSourceDateEpoch() throws Exception {
    withSmallCheckpoints(
        () -> {
          Files.createDirectories(ctx.resolve("data"));
          java.util.Random r = new java.util.Random(5);
          for (int i = 0; i < 20; i++) {
            byte[] b = new byte[5000];
            r.nextBytes(b);
            Files.write(ctx.resolve("data/f" + (100 + i)), b);
          }
          Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nCOPY data /new/data\n");
          build("store");
          Thread.sleep(1100); // a new stamp would now differ by a whole second
          Files.write(
              ctx.resolve("data/f119"), new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
          CorpusCases.Outcome resumed = build("store");
          assertTrue(
              resumed.err().contains("bytes of the previous layer"), "resumed: " + resumed.err());
        });
  }

  @FunctionalInterface
  private interface Body {
    void run() throws Exception;
  }

  /** Runs {@code body} with a COPY checkpoint every 4 KiB (so small layers have several). */
  private static void withSmallCheckpoints(Body body) throws Exception {
    String old = System.setProperty("jbuild.copy.checkpointBytes", "4096");
    try {
      body.run();
    } finally {
      if (old == null) {
        System.clearProperty("jbuild.copy.checkpointBytes");
      } else {
        System.setProperty("jbuild.copy.checkpointBytes", old);
      }
    }
  }

  @Test
  void mtimeOnlyChangesHitTheCache() throws IOException {
    build("store");
    Files.setLastModifiedTime(
        ctx.resolve("a.txt"), FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
    CorpusCases.Outcome o = build("store");
    for (String line : summary(o.err())) {
      assertTrue(line.endsWith("-> CACHED"), line);
    }
  }

  @Test
  void aBuildArgInvalidatesOnlyTheStepsThatSeeIt() {
    build("store");
    CorpusCases.Outcome o = build("store", "--build-arg", "LATE=2");
    List<String> s = summary(o.err());
    for (String line : s.subList(0, 6)) {
      assertTrue(line.endsWith("-> CACHED"), "should be cached: " + line + "\n" + o.err());
    }
    assertEquals(
        "RUN echo \"late $LATE\" > /late.txt -> DONE: env LATE changed", s.get(6), o.err());
  }

  @Test
  void sourceDateEpochBuildsAreReproducibleCleanAndIncremental() throws IOException {
    String[] epoch = {"--build-arg", "SOURCE_DATE_EPOCH=1700000000"};
    String clean1 = imageId(build("store", epoch));
    String clean2 = imageId(build("store2", epoch));
    assertEquals(clean1, clean2, "two clean builds");
    Files.writeString(ctx.resolve("a.txt"), "changed\n");
    String changed = imageId(build("store", epoch));
    assertNotEquals(clean1, changed);
    Files.writeString(ctx.resolve("a.txt"), "a1\n");
    assertEquals(
        clean1, imageId(build("store", epoch)), "incremental rebuild back to the original");
  }
}
