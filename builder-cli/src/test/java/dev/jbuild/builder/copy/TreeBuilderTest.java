package dev.jbuild.builder.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.tar.TarEntry;
import dev.jbuild.testing.Victim;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TreeBuilder writes only through directory descriptors of its tree: even entries no correct merge
 * emits (a child below a symlink, a hard link through one) cannot reach outside the tree.
 */
class TreeBuilderTest {
  static final Instant T = Instant.parse("2024-01-02T03:04:05Z");
  @TempDir Path tmp;
  Victim victim;
  Path root;

  @BeforeEach
  void setUp() throws IOException {
    victim = Victim.create();
    root = Files.createDirectory(tmp.resolve("tree"));
  }

  @AfterEach
  void tearDown() throws IOException {
    victim.close();
  }

  private static CopyLayer.Sourced entry(TarEntry e) {
    return new CopyLayer.Sourced(e.withOwner(4242, 4242).withMtime(T), null, null);
  }

  private static CopyLayer.Sourced file(String name, String content) {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    return new CopyLayer.Sourced(
        TarEntry.file(name, b.length).withMode(0644).withOwner(4242, 4242).withMtime(T), null, b);
  }

  @Test
  void entriesBelowASymlinkAreRefusedNotWrittenThroughIt() throws IOException {
    for (String target : new String[] {victim.toString(), "/", "../../../../../..", ".."}) {
      Path r = Files.createTempDirectory(tmp, "t");
      try (TreeBuilder t = new TreeBuilder(r, null, null, null, null)) {
        t.add(entry(TarEntry.directory("out")));
        t.add(entry(TarEntry.symlink("out/s", target)));
        String below = target.equals("/") ? "out/s" + victim : "out/s/f";
        assertThrows(IOException.class, () -> t.add(file(below, "x")), target);
        assertThrows(IOException.class, () -> t.add(entry(TarEntry.directory("out/s/d"))), target);
        assertThrows(
            IOException.class, () -> t.add(entry(TarEntry.hardlink("out/h", "out/s/f"))), target);
        t.finish();
      }
      victim.assertUntouched();
    }
  }

  @Test
  void aSymlinkIsNeverChmoddedChownedOrTimedThroughAndContentIsWritten() throws IOException {
    try (TreeBuilder t = new TreeBuilder(root, null, null, null, null)) {
      t.add(entry(TarEntry.directory("a").withMode(0750)));
      t.add(file("a/f", "hello"));
      t.add(entry(TarEntry.hardlink("a/g", "a/f")));
      t.add(entry(TarEntry.symlink("a/l", victim.dir().resolve("f").toString())));
      t.add(entry(TarEntry.fifo("a/p").withMode(0600)));
      t.finish();
    }
    victim.assertUntouched();
    assertEquals("hello", Files.readString(root.resolve("a/g")));
    assertEquals(0750, Posix.lstat(root.resolve("a")).permissions());
    assertEquals(4242, Posix.lstat(root.resolve("a/l")).uid());
    assertEquals(T, Posix.lstat(root.resolve("a")).mtime());
    assertTrue(Posix.lstat(root.resolve("a/p")).isFifo());
  }
}
