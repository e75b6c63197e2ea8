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
 * Builds every case of {@code testdata/build/} with real runc, overlayfs and store, then checks the
 * image against the case's {@code checks} file. A case is a directory: the Dockerfile, its context,
 * and {@code checks} with one assertion per line:
 *
 * <pre>
 * args: --build-arg V=2 --target x      extra build arguments ({ctx} is the case directory)
 * exit: 1                               expected exit code (default 0)
 * stderr: text                          the build's error output contains text
 * config: WorkingDir = "/app"           a member of the config's "config" (JSON compared)
 * config: Env contains "A=1"            an array member contains a value
 * config: Cmd absent                    the member is missing or null
 * config: /author = "me"                a top-level member of the image config
 * file: /a/b = "content\n"              a regular file with that content
 * file: /a/b mode=755 uid=0 gid=0       a path's attributes (type=file|dir|symlink, target=...)
 * absent: /a/b                          the path does not exist
 * samefile: /a /b                       two paths are hard links of one file
 * layers: 3                             number of layers
 * run: ARGS = "out\n"                   jbuild run --rm of the image with ARGS prints exactly that
 * history: 5                            number of history entries
 * </pre>
 *
 * A case with a {@code prepare.sh} is copied to a temp directory and prepared there first (for what
 * git cannot hold: hard links, directory modes).
 *
 * <p>All cases share one store (built from a busybox image made at test time), as builds on one
 * machine do.
 */
class BuildCorpusIT {
  static Path root;
  static Path work;

  @BeforeAll
  static void store() throws IOException {
    work = Files.createTempDirectory("jbuild-corpus");
    root = work.resolve("store");
    try (Store store = Store.open(root)) {
      TestImages.busybox(store, "busybox:latest");
    }
  }

  @AfterAll
  static void cleanup() throws IOException {
    CorpusCases.deleteTree(work);
  }

  static Path corpus() {
    Path p = Path.of("..", "testdata", "build").toAbsolutePath().normalize();
    assertTrue(Files.isDirectory(p), "corpus missing: " + p);
    return p;
  }

  @TestFactory
  Stream<DynamicTest> corpusCases() throws IOException {
    List<Path> cases;
    try (Stream<Path> s = Files.list(corpus())) {
      cases = s.filter(Files::isDirectory).sorted().toList();
    }
    assertTrue(cases.size() >= 20, "expected at least 20 build cases, found " + cases.size());
    return cases.stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.getFileName().toString(), () -> CorpusCases.run(c, root, work)));
  }
}
