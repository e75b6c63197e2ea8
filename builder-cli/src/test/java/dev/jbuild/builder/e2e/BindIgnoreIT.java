package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, finding 5: {@code RUN --mount=type=bind} of the build context sees the context as
 * .dockerignore filters it (as BuildKit's does): ignored files are not there, read-only or rw, and
 * a rw mount's changes never reach the context.
 */
class BindIgnoreIT {
  static Path work;
  static Path root;
  static Path ctx;

  @BeforeAll
  static void setUp() throws IOException {
    work = Files.createTempDirectory("jbuild-bindignore");
    root = work.resolve("store");
    ctx = Files.createDirectories(work.resolve("ctx"));
    try (Store store = Store.open(root)) {
      TestImages.busybox(store, "busybox:latest");
    }
    Files.writeString(ctx.resolve("secret.env"), "TOKEN=hunter2\n");
    Files.writeString(ctx.resolve("visible.txt"), "visible\n");
    Files.createDirectories(ctx.resolve("sub/private"));
    Files.writeString(ctx.resolve("sub/a.key"), "key\n");
    Files.writeString(ctx.resolve("sub/b.txt"), "b\n");
    Files.writeString(ctx.resolve("sub/private/x"), "x\n");
    Files.writeString(ctx.resolve("sub/private/keep"), "keep\n");
    Files.createDirectories(ctx.resolve("logs/deep"));
    Files.writeString(ctx.resolve("logs/deep/l"), "l\n");
    Files.writeString(
        ctx.resolve(".dockerignore"),
        "secret.env\n**/*.key\nsub/private\n!sub/private/keep\nlogs\n");
  }

  @AfterAll
  static void tearDown() throws IOException {
    CorpusCases.deleteTree(work);
  }

  private static CorpusCases.Outcome build(String dockerfile) throws IOException {
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    return CorpusCases.jbuild("--root", root.toString(), "build", "-q", ctx.toString());
  }

  private static List<String> contextListing() throws IOException {
    try (Stream<Path> all = Files.walk(ctx)) {
      return all.map(p -> ctx.relativize(p).toString())
          .filter(p -> !p.equals("Dockerfile"))
          .sorted()
          .toList();
    }
  }

  @Test
  void ignoredFilesAreNotInAReadOnlyBindOfTheContext() throws IOException {
    CorpusCases.Outcome o =
        build(
            "FROM busybox\n"
                + "RUN --mount=type=bind,target=/ctx sh -c '"
                + "test ! -e /ctx/secret.env && test ! -e /ctx/sub/a.key && test ! -e /ctx/logs"
                + " && test ! -e /ctx/sub/private/x && test -f /ctx/sub/private/keep"
                + " && test -f /ctx/visible.txt && test -f /ctx/sub/b.txt"
                + " && ! grep -r hunter[2] /ctx'\n"
                + "RUN --mount=type=bind,source=sub,target=/s sh -c '"
                + "test ! -e /s/a.key && test ! -e /s/private/x && test -f /s/b.txt'\n");
    assertEquals(0, o.exit(), o.err());
  }

  @Test
  void ignoredFilesAreNotInAWritableBindAndChangesAreDiscarded() throws IOException {
    List<String> before = contextListing();
    CorpusCases.Outcome o =
        build(
            "FROM busybox\n"
                + "RUN --mount=type=bind,target=/ctx,rw sh -c '"
                + "test ! -e /ctx/secret.env && test ! -e /ctx/sub/a.key"
                + " && echo new > /ctx/new && rm /ctx/visible.txt && echo changed > /ctx/sub/b.txt"
                + " && echo again > /ctx/secret.env && cat /ctx/secret.env'\n");
    assertEquals(0, o.exit(), o.err());
    assertEquals(before, contextListing());
    assertEquals("TOKEN=hunter2\n", Files.readString(ctx.resolve("secret.env")));
    assertEquals("b\n", Files.readString(ctx.resolve("sub/b.txt")));
  }

  @Test
  void anIgnoredSourceIsRefusedLikeCopy() throws IOException {
    CorpusCases.Outcome o =
        build("FROM busybox\nRUN --mount=type=bind,source=secret.env,target=/s cat /s\n");
    assertNotEquals(0, o.exit());
    assertTrue(o.err().contains("secret.env"), o.err());
    assertTrue(o.err().contains("excluded by .dockerignore"), o.err());
    CorpusCases.Outcome copy = build("FROM busybox\nCOPY secret.env /\n");
    assertNotEquals(0, copy.exit());
  }
}
