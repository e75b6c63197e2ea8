package dev.jbuild.builder.e2e;

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
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of {@code testdata/build/} built with {@code --isolation=chroot} (root forcing chroot
 * isolation: the same copied root, chroot helper and tree diff as in a container without
 * CAP_SYS_ADMIN, which {@link ChrootModeIT} covers), checked like {@link BuildCorpusIT}.
 *
 * <p>Left out: {@code parallel-stages}, whose two concurrent steps meet through one shared cache
 * mount; chroot mode copies a cache in and out around each step (no mounts), so concurrent steps do
 * not see each other's writes (runner README, "Isolation").
 */
class ChrootCorpusIT {
  private static final String NOT_IN_CHROOT_MODE = "parallel-stages";

  static Path root;
  static Path work;

  @BeforeAll
  static void store() throws IOException {
    work = Files.createTempDirectory("jbuild-chroot-corpus");
    root = work.resolve("store");
    try (Store store = Store.open(root)) {
      TestImages.busybox(store, "busybox:latest");
    }
  }

  @AfterAll
  static void cleanup() throws IOException {
    // the builds chose chroot isolation for this JVM: later in-process tests detect it again
    dev.jbuild.runner.Isolation.select("auto");
    CorpusCases.deleteTree(work);
  }

  @TestFactory
  Stream<DynamicTest> corpusCasesInChrootMode() throws IOException {
    List<Path> cases;
    try (Stream<Path> s = Files.list(BuildCorpusIT.corpus())) {
      cases =
          s.filter(Files::isDirectory)
              .filter(c -> !c.getFileName().toString().equals(NOT_IN_CHROOT_MODE))
              .sorted()
              .toList();
    }
    assertTrue(cases.size() >= 20, "expected at least 20 build cases, found " + cases.size());
    return cases.stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.getFileName().toString(),
                    () -> CorpusCases.run(c, root, work, List.of("--isolation=chroot"))));
  }
}
