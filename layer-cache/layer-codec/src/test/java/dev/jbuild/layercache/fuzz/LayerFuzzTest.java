package dev.jbuild.layercache.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.jbuild.layercache.tar.ApplyMode;
import dev.jbuild.layercache.tar.LayerApplier;
import dev.jbuild.layercache.tar.LayerFormatException;
import dev.jbuild.layercache.tar.LayerReader;
import dev.jbuild.layercache.tar.TarEntry;
import dev.jbuild.layercache.testing.TestTrees;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The layer tar reader on arbitrary bytes (any compression it detects), then the applier in each
 * mode (FLAT, OVERLAY, PLAIN) into a fresh directory. Allowed: {@link LayerFormatException} (a bad
 * layer, naming the entry) and, from the applier, an IOException made by {@code
 * TarErrors.applyFailed} ("layer entry NAME: ...": the kernel refused what the entry asks, e.g. an
 * invalid security.capability value, as Docker's applier fails on it). Anything else, a
 * StackOverflowError or a hang is a finding.
 */
class LayerFuzzTest {
  private static Path work;

  @BeforeAll
  static void workDir() throws IOException {
    work = Files.createTempDirectory("layer-fuzz");
  }

  @AfterAll
  static void clean() throws IOException {
    TestTrees.deleteTree(work);
  }

  @FuzzTest(maxDuration = "10m")
  void layer(byte[] data) throws IOException {
    try (LayerReader r = LayerReader.open(new ByteArrayInputStream(data))) {
      for (TarEntry e; (e = r.next()) != null; ) {
        try (InputStream content = r.content()) {
          content.transferTo(OutputSink.INSTANCE);
        }
        e.name();
      }
    } catch (LayerFormatException expected) {
      return; // the applier would refuse it the same way
    }
    for (ApplyMode mode : ApplyMode.values()) {
      Path root = Files.createTempDirectory(work, mode.name());
      try {
        LayerApplier.apply(new ByteArrayInputStream(data), root, mode);
      } catch (LayerFormatException expected) {
        // a layer that reads well may still not apply (a hardlink to a missing file, ...)
      } catch (IOException e) {
        if (e.getMessage() == null || !e.getMessage().startsWith("layer entry ")) {
          throw e;
        }
      } finally {
        TestTrees.deleteTree(root);
      }
    }
  }
}
