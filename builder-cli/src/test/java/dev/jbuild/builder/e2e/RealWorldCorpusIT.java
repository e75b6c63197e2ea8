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
 * Builds the real-world corpus ({@code testdata/realworld/}: Dockerfiles of well-known projects,
 * each with a {@code SOURCE.md} naming where it comes from and what was adapted) and checks each
 * image as {@link BuildCorpusIT} does, including running it. Needs root, runc, overlayfs, {@code
 * debootstrap} and Debian's mirror (the cases install packages with apt-get, and the Java case
 * downloads Maven plugins from Maven Central).
 */
class RealWorldCorpusIT {
  static Path root;
  static Path work;

  @BeforeAll
  static void store() throws IOException {
    work = Files.createTempDirectory("jbuild-realworld");
    root = work.resolve("store");
    try (Store store = Store.open(root)) {
      TestImages.busybox(store, "busybox:latest");
      TestImages.debian(store, "debian:bookworm-slim");
    }
  }

  @AfterAll
  static void cleanup() throws IOException {
    CorpusCases.deleteTree(work);
  }

  @TestFactory
  Stream<DynamicTest> realWorldCases() throws IOException {
    Path corpus = Path.of("..", "testdata", "realworld").toAbsolutePath().normalize();
    List<Path> cases;
    try (Stream<Path> s = Files.list(corpus)) {
      cases = s.filter(Files::isDirectory).sorted().toList();
    }
    assertTrue(cases.size() >= 2, "expected the real-world cases, found " + cases.size());
    for (Path c : cases) {
      assertTrue(Files.exists(c.resolve("SOURCE.md")), c + " names no source");
    }
    return cases.stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.getFileName().toString(), () -> CorpusCases.run(c, root, work)));
  }
}
