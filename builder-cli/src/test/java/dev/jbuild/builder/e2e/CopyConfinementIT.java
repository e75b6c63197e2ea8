package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, finding 1: a COPY of several sources whose later source puts a symlink where an earlier
 * one put a directory must never write through that symlink on the host. Each case checks a victim
 * directory outside the store before and after; the merge itself follows BuildKit (a non-directory
 * over a directory, or a directory over a non-directory, of an earlier source is an error naming
 * the path).
 */
class CopyConfinementIT extends ConfinementFixture {
  private static final String COPY_B_THEN_A = "FROM busybox\nCOPY b/ a/ /out/\nRUN true\n";
  private static final String DIRECTORY_REPLACED = "cannot replace to directory /out/s with file";

  CopyConfinementIT() {
    super("jbuild-copyconf");
  }

  /** An earlier source {@code b/} whose {@code s} is a directory (d/ and f), a later {@code a/}. */
  private void earlierDirectoryS() throws IOException {
    Files.createDirectories(ctx.resolve("b/s/d"));
    Files.writeString(ctx.resolve("b/s/f"), "x\n");
    Files.createDirectories(ctx.resolve("a"));
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
    assertRefused(o, DIRECTORY_REPLACED);
  }

  @Test
  void contextSymlinkOverEarlierDirectoryWithChown() throws IOException {
    earlierDirectoryS();
    Files.createSymbolicLink(ctx.resolve("a/s"), victim.dir());
    CorpusCases.Outcome o = build("FROM busybox\nCOPY --chown=4242:4242 b/ a/ /out/\nRUN true\n");
    assertRefused(o, DIRECTORY_REPLACED);
  }

  @Test
  void symlinkToTheRootWithTheVictimBelowIt() throws IOException {
    String rel = victim.dir().toString().substring(1);
    Files.createDirectories(ctx.resolve("b/s/" + rel + "/new"));
    Files.writeString(ctx.resolve("b/s/" + rel + "/f"), "overwritten\n");
    Files.createDirectories(ctx.resolve("a"));
    Files.createSymbolicLink(ctx.resolve("a/s"), Path.of("/"));
    assertRefused(build(COPY_B_THEN_A), DIRECTORY_REPLACED);
  }

  @Test
  void relativeSymlinkClimbingOutOfTheLayer() throws IOException {
    earlierDirectoryS();
    Files.createSymbolicLink(
        ctx.resolve("a/s"), Path.of("../../../../../../../../../../.." + victim.dir()));
    assertRefused(build(COPY_B_THEN_A), DIRECTORY_REPLACED);
  }

  @Test
  void symlinkToAParentDirectory() throws IOException {
    earlierDirectoryS();
    Files.createSymbolicLink(ctx.resolve("a/s"), Path.of(".."));
    assertRefused(build(COPY_B_THEN_A), DIRECTORY_REPLACED);
  }

  @Test
  void laterFileOverEarlierDirectory() throws IOException {
    earlierDirectoryS();
    Files.writeString(ctx.resolve("a/s"), "a file\n");
    assertRefused(build(COPY_B_THEN_A), DIRECTORY_REPLACED);
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
