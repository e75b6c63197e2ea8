package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.AsUser;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 11: every case of {@code testdata/build/} built by an ordinary user ({@link
 * AsUser#WITH_RANGES}, made by {@code .ci/setup}) with the {@code ./jbuild} launcher, which runs it
 * rootless (its own user namespace, overlayfs with userxattr, rootless runc), checked with the
 * case's {@code checks} file as {@link BuildCorpusIT} does, and equal, file by file, layer tar
 * entry by entry and in its config ({@link ImageTrees}), to the root build of the same case.
 *
 * <p>The user's store is the user's: made by the user's {@code jbuild load} of the busybox base,
 * never opened by this (root) JVM, which refuses a store of another user anyway. The checks read
 * the image from a check store of root's, loaded from the user's {@code jbuild save} of it; {@code
 * run:} checks run {@code jbuild run} as the user.
 */
class RootlessCorpusIT {
  static AsUser user;
  static Path work;
  static Path userWork;
  static Path rootStore;
  static Path userStore;
  static Path checkStore;
  static long rootNanos;
  static long rootlessNanos;

  @BeforeAll
  static void stores() throws IOException {
    user = AsUser.of(AsUser.WITH_RANGES);
    work = Files.createTempDirectory("jbuild-rootless-corpus");
    rootStore = work.resolve("root-store");
    checkStore = work.resolve("check-store");
    try (Store store = Store.open(rootStore)) {
      TestImages.busybox(store, "busybox:latest");
    }
    userWork = user.workDir("jbuild-rootless-corpus");
    userStore = userWork.resolve("store");
    Path base = userWork.resolve("busybox.tar");
    CorpusCases.Outcome saved =
        CorpusCases.jbuild(
            "--root", rootStore.toString(), "save", "-o", base.toString(), "busybox:latest");
    assertEquals(0, saved.exit(), saved.err());
    user.chownTree(base);
    AsUser.Result loaded =
        user.jbuild("--root", userStore.toString(), "load", "-i", base.toString());
    assertEquals(0, loaded.exit(), "load as " + user.name() + ": " + loaded);
  }

  @AfterAll
  static void cleanup() throws IOException {
    System.out.printf(
        "RootlessCorpusIT: corpus builds took %.1f s as root (in-process), %.1f s rootless"
            + " (launcher, a JVM per build)%n",
        rootNanos / 1e9, rootlessNanos / 1e9);
    if (user != null) {
      user.stopPauseProcess();
    }
    if (userWork != null) {
      CorpusCases.deleteTree(userWork);
    }
    CorpusCases.deleteTree(work);
  }

  /** The case built by the user with the launcher; the checks read root's copy of the image. */
  static CorpusCases.Mode rootless() {
    return new CorpusCases.Mode() {
      @Override
      public CorpusCases.Outcome jbuild(List<String> args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--root", userStore.toString()));
        all.addAll(args);
        long t0 = System.nanoTime();
        AsUser.Result r = user.jbuild(all.toArray(String[]::new));
        if (args.getFirst().equals("build")) {
          rootlessNanos += System.nanoTime() - t0;
        }
        return new CorpusCases.Outcome(r.exit(), r.out(), r.err());
      }

      @Override
      public Path context(Path caseDir) throws Exception {
        Path dir = userWork.resolve("ctx").resolve(caseDir.getFileName().toString());
        Files.createDirectories(dir.getParent());
        user.chownTree(dir.getParent());
        user.copyTree(caseDir, dir);
        if (Files.exists(dir.resolve("prepare.sh"))) {
          AsUser.Result r = user.run(dir, Duration.ofMinutes(1), List.of("sh", "prepare.sh"));
          assertEquals(0, r.exit(), "prepare.sh of " + caseDir + " as " + user.name() + ": " + r);
        }
        return dir;
      }

      @Override
      public Path checkStore(String tag) throws IOException {
        Path archive = userWork.resolve("image.tar");
        AsUser.Result saved =
            user.jbuild("--root", userStore.toString(), "save", "-o", archive.toString(), tag);
        assertEquals(0, saved.exit(), "save as " + user.name() + ": " + saved);
        CorpusCases.Outcome loaded =
            CorpusCases.jbuild("--root", checkStore.toString(), "load", "-i", archive.toString());
        assertEquals(0, loaded.exit(), loaded.err());
        Files.delete(archive);
        return checkStore;
      }
    };
  }

  /** The case built as root in this JVM (BuildCorpusIT's way), timed. */
  static CorpusCases.Mode root() {
    CorpusCases.Mode inProcess = CorpusCases.inProcess(rootStore, work);
    return new CorpusCases.Mode() {
      @Override
      public CorpusCases.Outcome jbuild(List<String> args) throws IOException {
        long t0 = System.nanoTime();
        CorpusCases.Outcome o = inProcess.jbuild(args);
        if (args.getFirst().equals("build")) {
          rootNanos += System.nanoTime() - t0;
        }
        return o;
      }

      @Override
      public Path context(Path caseDir) throws Exception {
        return inProcess.context(caseDir);
      }

      @Override
      public Path checkStore(String tag) throws Exception {
        return inProcess.checkStore(tag);
      }
    };
  }

  static void buildCase(Path caseDir) throws Exception {
    boolean built = CorpusCases.run(caseDir, rootless(), work);
    boolean builtAsRoot = CorpusCases.run(caseDir, root(), work);
    assertEquals(built, builtAsRoot, "rootless and root builds disagree on failing");
    if (built) {
      String tag = CorpusCases.tag(caseDir);
      List<String> asRoot = new ArrayList<>(ImageTrees.describe(rootStore, tag, work));
      asRoot.addAll(ImageTrees.layers(rootStore, tag));
      List<String> rootless = new ArrayList<>(ImageTrees.describe(checkStore, tag, work));
      rootless.addAll(ImageTrees.layers(checkStore, tag));
      assertEquals(
          null,
          ImageTrees.firstDifference(asRoot, rootless),
          "the rootless image differs from the root build of " + caseDir.getFileName());
    }
  }

  @TestFactory
  Stream<DynamicTest> rootlessCorpusCases() throws IOException {
    List<Path> cases;
    try (Stream<Path> s = Files.list(BuildCorpusIT.corpus())) {
      cases = s.filter(Files::isDirectory).sorted().toList();
    }
    assertTrue(cases.size() >= 20, "expected at least 20 build cases, found " + cases.size());
    return cases.stream()
        .map(c -> DynamicTest.dynamicTest(c.getFileName().toString(), () -> buildCase(c)));
  }
}
