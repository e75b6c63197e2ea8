package dev.jbuild.layercache.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InRootTest {
  @TempDir Path root;

  private String resolve(String path, boolean followLast) throws IOException {
    try (RootDir dir = RootDir.open(root)) {
      return InRoot.resolve(dir, path, followLast);
    }
  }

  @Test
  void linksAreReRootedAndDotDotStopsAtTheRoot() throws IOException {
    Files.createDirectories(root.resolve("data/app"));
    Files.createSymbolicLink(root.resolve("app"), Path.of("/data/app"));
    Files.createSymbolicLink(root.resolve("data/up"), Path.of("../../../.."));
    Files.createSymbolicLink(root.resolve("etc"), Path.of("/")); // a link to the root itself
    assertEquals("data/app/x", resolve("/app/x", true));
    assertEquals("data/app/missing/y", resolve("app/./missing//y/", true));
    assertEquals("", resolve("/data/up", true));
    assertEquals("passwd", resolve("/data/up/passwd", true));
    assertEquals("x", resolve("/etc/x", true));
    assertEquals("app", resolve("/app", false), "the last component is kept when not followed");
    assertEquals("data/app", resolve("/app", true));
  }

  @Test
  void aHostLinkIsNeverFollowedOutOfTheRoot() throws IOException {
    Path outside = Files.createTempDirectory("inroot-outside");
    try {
      Files.createDirectories(outside.resolve("secret"));
      Files.createSymbolicLink(root.resolve("out"), outside);
      // the host path exists, but inside the root "out" points at a directory the root lacks
      assertEquals(outside.toString().substring(1) + "/secret", resolve("/out/secret", true));
    } finally {
      Files.delete(outside.resolve("secret"));
      Files.delete(outside);
    }
  }

  @Test
  void aLoopIsRefusedWithThePath() throws IOException {
    Files.createSymbolicLink(root.resolve("a"), Path.of("b"));
    Files.createSymbolicLink(root.resolve("b"), Path.of("a"));
    FileSystemException e = assertThrows(FileSystemException.class, () -> resolve("/a/x", true));
    assertEquals("/a/x: too many levels of symbolic links", e.getMessage());
  }

  @Test
  void readlinkAnswersNullForWhatIsNotALink() throws IOException {
    Files.writeString(root.resolve("f"), "x");
    Files.createSymbolicLink(root.resolve("l"), Path.of("f"));
    try (RootDir dir = RootDir.open(root)) {
      assertEquals("f", dir.readlink("l"));
      assertNull(dir.readlink("f"));
      assertNull(dir.readlink("missing"));
      assertNull(dir.readlink("f/below-a-file"));
    }
  }
}
