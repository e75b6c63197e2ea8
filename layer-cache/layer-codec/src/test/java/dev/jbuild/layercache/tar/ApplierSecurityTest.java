package dev.jbuild.layercache.tar;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.fs.Posix;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile layers: each must either land inside the root or fail with a message naming the entry,
 * and never change anything outside the root (checked after every test).
 */
class ApplierSecurityTest {
  @TempDir Path sandbox;
  Path root;
  Path outside;
  Path secret;
  List<String> before;

  @BeforeEach
  void setUp() throws IOException {
    root = Files.createDirectory(sandbox.resolve("root"));
    outside = Files.createDirectory(sandbox.resolve("outside"));
    secret = Files.writeString(outside.resolve("secret"), "keep");
    before = outsideState();
  }

  @AfterEach
  void nothingOutsideChanged() throws IOException {
    assertEquals(before, outsideState(), "something outside the root changed");
    assertEquals("keep", Files.readString(secret));
    assertEquals(1L, Posix.lstat(secret).nlink());
  }

  private List<String> outsideState() throws IOException {
    try (Stream<Path> s = Files.walk(sandbox)) {
      return s.filter(p -> !p.startsWith(root))
          .map(
              p -> {
                try {
                  var st = Posix.lstat(p);
                  return sandbox.relativize(p)
                      + " "
                      + st.mode()
                      + " "
                      + st.size()
                      + " "
                      + st.nlink()
                      + " "
                      + st.mtime();
                } catch (IOException e) {
                  throw new RuntimeException(e);
                }
              })
          .sorted()
          .toList();
    }
  }

  private void apply(byte[] tar, ApplyMode mode) throws IOException {
    LayerApplier.apply(new ByteArrayInputStream(tar), root, mode);
  }

  private void rejects(byte[] tar, String message) {
    for (ApplyMode mode : ApplyMode.values()) {
      IOException e = assertThrows(IOException.class, () -> apply(tar, mode));
      assertEquals(message, e.getMessage());
    }
  }

  @Test
  void dotDotNamesAreRejected() throws Exception {
    rejects(
        new TarFixtures().file("../escape", "x").bytes(),
        TarErrors.escapes("../escape", "'..' path component"));
    rejects(
        new TarFixtures().file("a/../../escape", "x").bytes(),
        TarErrors.escapes("a/../../escape", "'..' path component"));
    rejects(
        new TarFixtures().file("./../outside/secret", "x").bytes(),
        TarErrors.escapes("./../outside/secret", "'..' path component"));
  }

  @Test
  void absoluteNamesLandInsideTheRoot() throws Exception {
    String abs = outside.resolve("new").toString();
    apply(new TarFixtures().file(abs, "in").file("/etc/x", "y").bytes(), ApplyMode.FLAT);
    assertEquals("in", Files.readString(root.resolve(abs.substring(1))));
    assertEquals("y", Files.readString(root.resolve("etc/x")));
  }

  @Test
  void writesThroughSymlinksAreReRooted() throws Exception {
    apply(
        new TarFixtures()
            .symlink("rel", "../../outside")
            .file("rel/pwned", "1")
            .symlink("abs", outside.toString())
            .file("abs/pwned", "2")
            .symlink("slash", "/")
            .file("slash/etc/passwd", "3")
            .symlink("dotdot", "..")
            .file("dotdot/dotdot/pwned", "4")
            .bytes(),
        ApplyMode.FLAT);
    assertEquals("1", Files.readString(root.resolve("outside/pwned")));
    assertEquals("2", Files.readString(root.resolve(outside.toString().substring(1) + "/pwned")));
    assertEquals("3", Files.readString(root.resolve("etc/passwd")));
    assertEquals("4", Files.readString(root.resolve("pwned")));
    assertTrue(Files.isSymbolicLink(root.resolve("abs")));
  }

  @Test
  void aFileReplacesASymlinkInsteadOfWritingThroughIt() throws Exception {
    apply(
        new TarFixtures().symlink("f", secret.toString()).file("f", "new").bytes(), ApplyMode.FLAT);
    assertFalse(Files.isSymbolicLink(root.resolve("f")));
    assertEquals("new", Files.readString(root.resolve("f")));
  }

  @Test
  void symlinkLoopsFailCleanly() throws Exception {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                apply(
                    new TarFixtures().symlink("a", "b").symlink("b", "a").file("a/x", "1").bytes(),
                    ApplyMode.FLAT));
    assertTrue(e.getMessage().startsWith("layer entry a/x: "), e.getMessage());
    assertTrue(e.getMessage().contains("too many levels of symbolic links"), e.getMessage());
  }

  @Test
  void hardlinksCannotReachOutside() throws Exception {
    rejects(
        new TarFixtures().hardlink("h", "../outside/secret").bytes(),
        TarErrors.escapes("h", "hardlink target '../outside/secret': '..' path component"));
    String abs = secret.toString();
    rejects(
        new TarFixtures().hardlink("h", abs).bytes(),
        TarErrors.hardlinkTargetMissing("h", abs.substring(1)));
    // through a symlinked directory pointing outside: re-rooted, so the target is missing
    byte[] viaSymlink =
        new TarFixtures().symlink("d", outside.toString()).hardlink("h", "d/secret").bytes();
    IOException e = assertThrows(IOException.class, () -> apply(viaSymlink, ApplyMode.FLAT));
    assertEquals(TarErrors.hardlinkTargetMissing("h", "d/secret"), e.getMessage());
    assertFalse(Files.exists(root.resolve("h"), LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void hardlinksInsideWorkAndAreNotWrittenThrough() throws Exception {
    apply(
        new TarFixtures()
            .file("a", "old")
            .hardlink("b", "a")
            .symlink("s", "/")
            .hardlink("c", "s/a")
            .file("a", "new")
            .bytes(),
        ApplyMode.FLAT);
    assertEquals("new", Files.readString(root.resolve("a")));
    assertEquals("old", Files.readString(root.resolve("b")));
    assertEquals("old", Files.readString(root.resolve("c")));
    assertEquals(2L, Posix.lstat(root.resolve("b")).nlink());
  }

  @Test
  void whiteoutTricksStayInside() throws Exception {
    // whiteouts of ".." and "." are rejected in the modes that interpret whiteouts
    byte[] dotdot = new TarFixtures().file("d/.wh...", "").bytes();
    byte[] dot = new TarFixtures().file(".wh..", "").bytes();
    for (ApplyMode m : List.of(ApplyMode.FLAT, ApplyMode.OVERLAY)) {
      IOException e = assertThrows(IOException.class, () -> apply(dotdot, m));
      assertEquals(
          TarErrors.escapes("d/.wh...", "whiteout of '..' names no entry"), e.getMessage());
      e = assertThrows(IOException.class, () -> apply(dot, m));
      assertEquals(TarErrors.escapes(".wh..", "whiteout of '.' names no entry"), e.getMessage());
    }
    // PLAIN (ADD): ordinary files
    apply(dotdot, ApplyMode.PLAIN);
    assertTrue(Files.isRegularFile(root.resolve("d/.wh...")));
    rejects(
        new TarFixtures().file("../.wh.secret", "").bytes(),
        TarErrors.escapes("../.wh.secret", "'..' path component"));
    // whiteouts and opaque markers below a symlink to the outside act on the re-rooted path
    for (ApplyMode m : List.of(ApplyMode.FLAT, ApplyMode.OVERLAY)) {
      apply(
          new TarFixtures()
              .symlink("s", outside.toString())
              .file("s/.wh.secret", "")
              .file("s/.wh..wh..opq", "")
              .bytes(),
          m);
    }
    assertTrue(Files.isDirectory(root.resolve(outside.toString().substring(1))));
  }

  @Test
  void duplicateEntriesReplaceEachOther() throws Exception {
    apply(
        new TarFixtures()
            .file("f", "one")
            .file("f", "two")
            .file("d", "file first")
            .dir("d")
            .file("d/x", "in dir")
            .dir("e")
            .file("e/y", "gone with e")
            .file("e", "file now")
            .bytes(),
        ApplyMode.FLAT);
    assertEquals("two", Files.readString(root.resolve("f")));
    assertEquals("in dir", Files.readString(root.resolve("d/x")));
    assertEquals("file now", Files.readString(root.resolve("e")));
  }

  @Test
  void aFileInTheWayOfAParentIsAnError() throws Exception {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                apply(
                    new TarFixtures().file("p", "x").file("p/child", "y").bytes(), ApplyMode.FLAT));
    assertEquals(
        TarErrors.applyFailed("p/child", "IOException: parent p exists and is not a directory"),
        e.getMessage());
  }

  @Test
  void truncatedAndMalformedTarsNameTheEntry() throws Exception {
    byte[] good = new TarFixtures().file("first", "1").file("big", "x".repeat(5000)).bytes();
    // cut inside big's content
    byte[] cut = java.util.Arrays.copyOf(good, 512 * 4 + 100);
    IOException e = assertThrows(IOException.class, () -> apply(cut, ApplyMode.FLAT));
    assertEquals(TarErrors.truncated("big"), e.getMessage());
    // cut inside the second header
    byte[] header = java.util.Arrays.copyOf(good, 512 * 2 + 100);
    e = assertThrows(IOException.class, () -> apply(header, ApplyMode.FLAT));
    assertEquals(TarErrors.truncatedHeader("first"), e.getMessage());
    // cut right after big: no end-of-archive marker
    byte[] noEnd = java.util.Arrays.copyOf(good, 512 * 3 + 512 * 10);
    e = assertThrows(IOException.class, () -> apply(noEnd, ApplyMode.FLAT));
    assertEquals(TarErrors.missingEnd("big"), e.getMessage());
    // a corrupted header
    byte[] bad = good.clone();
    bad[1024 + 10] ^= 0x55;
    e = assertThrows(IOException.class, () -> apply(bad, ApplyMode.FLAT));
    assertEquals(TarErrors.badChecksum("first"), e.getMessage());
    // garbage
    e =
        assertThrows(
            IOException.class,
            () -> apply("not a tar".repeat(100).getBytes(UTF_8), ApplyMode.FLAT));
    assertEquals(TarErrors.badChecksum(null), e.getMessage());
  }

  @Test
  void truncatedCompressedLayersNameTheEntry() throws Exception {
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (var out = dev.jbuild.layercache.compress.Compression.GZIP.compress(gz, -1, 1)) {
      StringBuilder random = new StringBuilder();
      java.util.Random r = new java.util.Random(1);
      for (int i = 0; i < 300_000; i++) {
        random.append((char) ('a' + r.nextInt(26)));
      }
      out.write(new TarFixtures().file("first", "1").file("big", random.toString()).bytes());
    }
    byte[] cut = java.util.Arrays.copyOf(gz.toByteArray(), gz.size() / 2);
    IOException e = assertThrows(IOException.class, () -> apply(cut, ApplyMode.FLAT));
    assertTrue(e.getMessage().startsWith("truncated layer tar: entry big"), e.getMessage());
  }
}
