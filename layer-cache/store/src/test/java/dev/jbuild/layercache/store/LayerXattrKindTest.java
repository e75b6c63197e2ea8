package dev.jbuild.layercache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.model.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store's unpacked layers are of one kind: made as root (trusted.*) or rootless (user.*). */
class LayerXattrKindTest {
  private static final Digest SOME = Digest.parse("sha256:" + "ab".repeat(32));

  @Test
  void aNewStoreRecordsTheKindOfThisProcess(@TempDir Path dir) throws IOException {
    try (Store store = Store.open(dir.resolve("s"))) {
      assertTrue(store.layers().ifUnpacked(SOME).isEmpty());
    }
    assertEquals(
        "trusted\n", Files.readString(dir.resolve("s/l.xattrs"), StandardCharsets.US_ASCII));
  }

  @Test
  void layersOfTheOtherKindAreRefusedWithTheFix(@TempDir Path dir) throws IOException {
    try (Store store = Store.open(dir.resolve("s"))) {
      Files.writeString(dir.resolve("s/l.xattrs"), "user\n");
      IOException e = assertThrows(IOException.class, () -> store.layers().ifUnpacked(SOME));
      assertTrue(
          e.getMessage()
              .contains("were made with user.* overlay attributes (rootless or chroot isolation)"),
          e.getMessage());
      assertTrue(e.getMessage().contains("use another store (--root), or delete"), e.getMessage());
    }
  }
}
