package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.TestImages;
import dev.jbuild.testing.Victim;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, finding 1: a COPY of several sources whose later source puts a symlink where an earlier
 * one put a directory must never write through that symlink on the host. Each case checks a victim
 * directory outside the store before and after; the merge itself follows BuildKit (a non-directory
 * over a directory, or a directory over a non-directory, of an earlier source is an error naming
 * the path).
 */
class CopyConfinementIT {
  static Path work;
  static Path root;
  Path ctx;
  Victim victim;

  @BeforeAll
  static void store() throws IOException {
    work = Files.createTempDirectory("jbuild-copyconf");
    root = work.resolve("store");
    try (Store store = Store.open(root)) {
      TestImages.busybox(store, "busybox:latest");
    }
  }

  @AfterAll
  static void removeStore() throws IOException {
    CorpusCases.deleteTree(work);
  }

  @BeforeEach
  void setUp() throws IOException {
    ctx = Files.createTempDirectory(work, "ctx");
    victim = Victim.create();
  }

  @AfterEach
  void tearDown() throws IOException {
    victim.close();
  }

  private CorpusCases.Outcome build(String dockerfile) throws IOException {
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    List<String> all = new ArrayList<>(List.of("--root", root.toString(), "build", "-q"));
    all.add(ctx.toString());
    return CorpusCases.jbuild(all.toArray(String[]::new));
  }

  private void assertRefused(CorpusCases.Outcome o, String message) throws IOException {
    victim.assertUntouched();
    assertNotEquals(0, o.exit(), o.out());
    assertTrue(o.err().lines().findFirst().orElse("").contains(message), o.err());
    assertTrue(!o.err().contains("\tat ") && !o.err().contains("Exception"), o.err());
  }

  @Test
  void stageSymlinkOverEarlierDirectoryNeverWritesThroughIt() throws IOException {
    CorpusCases.Outcome o =
        build(
            "FROM busybox AS st\n"
                + "RUN mkdir -p /b/s /a && ln -s "
                + victim
                + " /a/s && echo x > /b/s/f && mkdir /b/s/d\n"
                + "FROM busybox\nCOPY --from=st /b/ /a/ /out/\nRUN true\n");
    assertRefused(o, "cannot replace to directory /out/s with file");
  }

  @Test
  void contextSymlinkOverEarlierDirectoryWithChown() throws IOException {
    Files.createDirectories(ctx.resolve("b/s/d"));
    Files.writeString(ctx.resolve("b/s/f"), "x\n");
    Files.createDirectories(ctx.resolve("a"));
    Files.createSymbolicLink(ctx.resolve("a/s"), victim.dir());
    CorpusCases.Outcome o = build("FROM busybox\nCOPY --chown=4242:4242 b/ a/ /out/\nRUN true\n");
    assertRefused(o, "cannot replace to directory /out/s with file");
  }

  @Test
  void symlinkToTheRootWithTheVictimBelowIt() throws IOException {
    String rel = victim.dir().toString().substring(1);
    Files.createDirectories(ctx.resolve("b/s/" + rel + "/new"));
    Files.writeString(ctx.resolve("b/s/" + rel + "/f"), "overwritten\n");
    Files.createDirectories(ctx.resolve("a"));
    Files.createSymbolicLink(ctx.resolve("a/s"), Path.of("/"));
    CorpusCases.Outcome o = build("FROM busybox\nCOPY b/ a/ /out/\nRUN true\n");
    assertRefused(o, "cannot replace to directory /out/s with file");
  }

  @Test
  void relativeSymlinkClimbingOutOfTheLayer() throws IOException {
    Files.createDirectories(ctx.resolve("b/s/d"));
    Files.writeString(ctx.resolve("b/s/f"), "x\n");
    Files.createDirectories(ctx.resolve("a"));
    Files.createSymbolicLink(
        ctx.resolve("a/s"), Path.of("../../../../../../../../../../.." + victim.dir()));
    CorpusCases.Outcome o = build("FROM busybox\nCOPY b/ a/ /out/\nRUN true\n");
    assertRefused(o, "cannot replace to directory /out/s with file");
  }

  @Test
  void symlinkToAParentDirectory() throws IOException {
    Files.createDirectories(ctx.resolve("b/s/d"));
    Files.writeString(ctx.resolve("b/s/f"), "x\n");
    Files.createDirectories(ctx.resolve("a"));
    Files.createSymbolicLink(ctx.resolve("a/s"), Path.of(".."));
    CorpusCases.Outcome o = build("FROM busybox\nCOPY b/ a/ /out/\nRUN true\n");
    assertRefused(o, "cannot replace to directory /out/s with file");
  }

  @Test
  void laterFileOverEarlierDirectory() throws IOException {
    Files.createDirectories(ctx.resolve("b/s/d"));
    Files.writeString(ctx.resolve("b/s/f"), "x\n");
    Files.createDirectories(ctx.resolve("a"));
    Files.writeString(ctx.resolve("a/s"), "a file\n");
    CorpusCases.Outcome o = build("FROM busybox\nCOPY b/ a/ /out/\nRUN true\n");
    assertRefused(o, "cannot replace to directory /out/s with file");
  }

  @Test
  void laterDirectoryOverEarlierSymlink() throws IOException {
    Files.createDirectories(ctx.resolve("a"));
    Files.createSymbolicLink(ctx.resolve("a/s"), victim.dir());
    Files.createDirectories(ctx.resolve("b/s/d"));
    Files.writeString(ctx.resolve("b/s/f"), "x\n");
    CorpusCases.Outcome o = build("FROM busybox\nCOPY a/ b/ /out/\nRUN true\n");
    assertRefused(o, "cannot copy to non-directory: /out/s");
  }

  @Test
  void laterFileOverEarlierFileAndSymlinkOverFileStillWin() throws IOException {
    Files.createDirectories(ctx.resolve("a"));
    Files.createDirectories(ctx.resolve("b"));
    Files.writeString(ctx.resolve("a/f"), "first\n");
    Files.writeString(ctx.resolve("b/f"), "second\n");
    Files.writeString(ctx.resolve("a/l"), "file\n");
    Files.createSymbolicLink(ctx.resolve("b/l"), victim.dir().resolve("f"));
    CorpusCases.Outcome o =
        build(
            "FROM busybox\nCOPY a/ b/ /out/\n"
                + "RUN test \"$(cat /out/f)\" = second && test -L /out/l\n");
    assertEquals(0, o.exit(), o.err());
    victim.assertUntouched();
  }

  @Test
  void destinationThroughAnImageSymlinkStaysInTheImage() throws IOException {
    Files.writeString(ctx.resolve("f"), "x\n");
    Files.createDirectories(ctx.resolve("tree/sub"));
    Files.writeString(ctx.resolve("tree/sub/g"), "y\n");
    CorpusCases.Outcome o =
        build(
            "FROM busybox\nRUN ln -s "
                + victim
                + " /out && ln -s ../../../../../.."
                + victim
                + " /rel\n"
                + "COPY --chown=4242:4242 f /out/\nCOPY tree/ /rel/\n"
                + "RUN test -f "
                + victim
                + "/f && test -f "
                + victim
                + "/sub/g && test \"$(stat -c %u "
                + victim
                + "/f)\" = 4242\n");
    assertEquals(0, o.exit(), o.err());
    victim.assertUntouched();
  }

  @Test
  void hardLinksAndSymlinksInsideOneSourceStayInTheLayer() throws IOException {
    CorpusCases.Outcome o =
        build(
            "FROM busybox AS st\n"
                + "RUN mkdir -p /b/s && echo x > /b/s/f && ln /b/s/f /b/s/h && ln -s "
                + victim
                + " /b/s/l && ln -s / /b/root\n"
                + "FROM busybox\nCOPY --from=st /b/ /out/\n"
                + "RUN test \"$(cat /out/s/h)\" = x && test -L /out/s/l && test -L /out/root\n");
    assertEquals(0, o.exit(), o.err());
    victim.assertUntouched();
  }
}
