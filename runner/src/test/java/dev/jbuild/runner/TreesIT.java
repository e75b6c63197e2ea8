package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.runner.sys.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's API for trees it mounts into and deletes (root: real tmpfs mounts). */
class TreesIT {
  @TempDir Path tmp;

  @AfterEach
  void nothingLeftMounted() throws IOException {
    Trees.unmountAll(tmp);
  }

  @Test
  void deletesATreeWithoutFollowingLinks() throws IOException {
    Path outside = Files.writeString(tmp.resolve("outside"), "keep");
    Path keptDir = Files.createDirectories(tmp.resolve("kept-dir"));
    Files.writeString(keptDir.resolve("f"), "keep");
    Path t = Files.createDirectories(tmp.resolve("t/a/b"));
    Files.writeString(t.resolve("file"), "x");
    Files.createSymbolicLink(t.resolve("to-file"), outside);
    Files.createSymbolicLink(t.resolve("to-dir"), keptDir);
    Path locked = Files.createDirectories(tmp.resolve("t/locked"));
    Files.writeString(locked.resolve("g"), "y");
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));

    Trees.delete(tmp.resolve("t"));

    assertFalse(Files.exists(tmp.resolve("t"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertEquals("keep", Files.readString(outside));
    assertEquals("keep", Files.readString(keptDir.resolve("f")));
    Trees.delete(tmp.resolve("no-such-dir")); // nothing to do
  }

  @Test
  void refusesToDeleteThroughAMountUntilItIsDetached() throws IOException {
    Path t = Files.createDirectories(tmp.resolve("t"));
    Path outer = Files.createDirectories(t.resolve("outer"));
    Syscalls.mount("tmpfs", outer, "tmpfs", 0, "size=1m");
    Path inner = Files.createDirectories(outer.resolve("inner"));
    Syscalls.mount("tmpfs", inner, "tmpfs", 0, "size=1m");
    Files.writeString(inner.resolve("data"), "on the mount");

    assertEquals(List.of(inner, outer), Trees.mountsUnder(t), "deepest first");
    IOException e = assertThrows(IOException.class, () -> Trees.delete(t));
    assertTrue(e.getMessage().contains(outer + " is still mounted"), e.getMessage());
    assertEquals("on the mount", Files.readString(inner.resolve("data")));

    assertEquals(2, Trees.unmountAll(t));
    assertEquals(List.of(), Trees.mountsUnder(t));
    assertEquals(0, Trees.unmountAll(t));
    Trees.delete(t);
    assertFalse(Files.exists(t));
  }
}
