package dev.jbuild.layercache.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jbuild.layercache.archive.ArchiveLoader;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.testing.TestTrees;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@code jbuild load} on arbitrary bytes: the archive loader (OCI and docker-archive, any
 * compression) into a store in a temp directory. Allowed: IOException (the archive is refused,
 * naming it). Anything else, a StackOverflowError or a hang is a finding.
 */
class ArchiveFuzzTest {
  private static Path work;
  private static Store store;

  @BeforeAll
  static void openStore() throws IOException {
    work = Files.createTempDirectory("archive-fuzz");
    store = Store.open(work.resolve("store"));
  }

  @AfterAll
  static void clean() throws IOException {
    store.close();
    TestTrees.deleteTree(work);
  }

  @FuzzTest(maxDuration = "10m")
  void archive(byte[] data) {
    try {
      ArchiveLoader.load(store, new ByteArrayInputStream(data), "fuzz.tar");
    } catch (IOException expected) {
      // refused, with a message naming the archive
    }
  }
}
