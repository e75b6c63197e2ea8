package dev.jbuild.builder.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.jbuild.layercache.model.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileHashCacheTest {
  @TempDir Path dir;

  private static final long OLD = 1_000_000_000L * 1_600_000_000L;

  @Test
  void remembersByFingerprintAndRereadsWhenItChanges() throws Exception {
    Path f = dir.resolve("f");
    Files.writeString(f, "one");
    Path store = dir.resolve("cache/ctx");
    var fp = new FileHashCache.Fingerprint(1, 2, 3, OLD, OLD);
    FileHashCache c = FileHashCache.load(store);
    Digest d1 = c.hash("f", f, fp);
    assertEquals(Digest.sha256("one".getBytes(StandardCharsets.UTF_8)), d1);
    c.save();

    // same fingerprint: the remembered hash, even though the bytes changed behind its back
    Files.writeString(f, "two");
    FileHashCache again = FileHashCache.load(store);
    assertEquals(d1, again.hash("f", f, fp));
    // a changed fingerprint reads the file
    Digest d2 = again.hash("f", f, new FileHashCache.Fingerprint(1, 2, 3, OLD + 1, OLD));
    assertNotEquals(d1, d2);
    assertEquals(Digest.sha256("two".getBytes(StandardCharsets.UTF_8)), d2);
  }

  @Test
  void racilyCleanFilesAreNotRemembered() throws Exception {
    Path f = dir.resolve("f");
    Files.writeString(f, "one");
    Path store = dir.resolve("cache/ctx");
    long now = System.currentTimeMillis() * 1_000_000L;
    var fp = new FileHashCache.Fingerprint(1, 2, 3, now, now);
    FileHashCache c = FileHashCache.load(store);
    c.hash("f", f, fp);
    c.save();
    Files.writeString(f, "two");
    assertEquals(
        Digest.sha256("two".getBytes(StandardCharsets.UTF_8)),
        FileHashCache.load(store).hash("f", f, fp));
  }

  @Test
  void aCorruptFileIsAnEmptyCache() throws Exception {
    Path store = dir.resolve("ctx");
    Files.write(store, new byte[] {0x4a, 0x42, 0x48, 0x43, 0, 0, 0, 1, 0, 0, 0, 5});
    Path f = dir.resolve("f");
    Files.writeString(f, "x");
    assertEquals(
        Digest.sha256("x".getBytes(StandardCharsets.UTF_8)),
        FileHashCache.load(store).hash("f", f, new FileHashCache.Fingerprint(1, 1, 1, OLD, OLD)));
  }
}
