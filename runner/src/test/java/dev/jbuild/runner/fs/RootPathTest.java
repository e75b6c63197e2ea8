package dev.jbuild.runner.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootPathTest {
  @TempDir Path root;

  @Test
  void plainPathsStayUnderTheRoot() throws IOException {
    assertEquals(root.resolve("a/b"), RootPath.resolve(root, "/a/b"));
    assertEquals(root.resolve("a/b"), RootPath.resolve(root, "a/./b/"));
    assertEquals(root.resolve("b"), RootPath.resolve(root, "/../../a/../b"));
    assertEquals(root, RootPath.resolve(root, "/"));
  }

  @Test
  void absoluteLinksResolveInsideTheRoot() throws IOException {
    Files.createDirectories(root.resolve("data"));
    Files.createSymbolicLink(root.resolve("app"), Path.of("/data"));
    Files.createSymbolicLink(root.resolve("up"), Path.of("../../../etc"));
    assertEquals(root.resolve("data/x"), RootPath.resolve(root, "/app/x"));
    assertEquals(root.resolve("etc/passwd"), RootPath.resolve(root, "/up/passwd"));
  }

  @Test
  void relativeLinksResolveFromTheirDirectory() throws IOException {
    Files.createDirectories(root.resolve("etc"));
    Files.createDirectories(root.resolve("run/x"));
    Files.createSymbolicLink(root.resolve("etc/resolv.conf"), Path.of("../run/x/resolv.conf"));
    assertEquals(root.resolve("run/x/resolv.conf"), RootPath.resolve(root, "/etc/resolv.conf"));
  }

  @Test
  void loopsFail() throws IOException {
    Files.createSymbolicLink(root.resolve("a"), Path.of("b"));
    Files.createSymbolicLink(root.resolve("b"), Path.of("a"));
    assertThrows(IOException.class, () -> RootPath.resolve(root, "/a/x"));
  }
}
