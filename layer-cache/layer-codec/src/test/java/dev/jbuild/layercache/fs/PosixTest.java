package dev.jbuild.layercache.fs;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Needs root (lchown, mknod of devices, trusted.* xattrs): CI runs as root. */
class PosixTest {
  @TempDir Path dir;

  @Test
  void lstatReportsWhatJavaSees() throws Exception {
    Path f = dir.resolve("f");
    Files.writeString(f, "hello");
    Stat s = Posix.lstat(f);
    assertTrue(s.isRegularFile());
    assertEquals(5, s.size());
    assertEquals(1, s.nlink());
    assertEquals(((Number) Files.getAttribute(f, "unix:ino")).longValue(), s.ino());
    assertEquals(((Number) Files.getAttribute(f, "unix:dev")).longValue(), s.dev());
    assertEquals(Files.getAttribute(f, "unix:mode"), s.mode());
    assertEquals(Files.getLastModifiedTime(f).toInstant(), s.mtime());
  }

  @Test
  void lstatDoesNotFollowSymlinks() throws Exception {
    Path link = dir.resolve("link");
    Files.createSymbolicLink(link, Path.of("missing"));
    assertTrue(Posix.lstat(link).isSymlink());
    assertEquals("missing".length(), Posix.lstat(link).size());
  }

  @Test
  void missingPathIsNullOrANamedError() throws Exception {
    Path missing = dir.resolve("nope/deeper");
    assertNull(Posix.lstatOrNull(missing));
    PosixException e = assertThrows(PosixException.class, () -> Posix.lstat(missing));
    assertEquals(Errno.ENOENT, e.errno());
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
  }

  @Test
  void chmodKeepsSpecialBitsAndLchownChangesTheLinkItself() throws Exception {
    Path f = Files.createFile(dir.resolve("f"));
    Posix.chmod(f, 07755);
    assertEquals(07755, Posix.lstat(f).permissions());
    Path link = dir.resolve("l");
    Files.createSymbolicLink(link, f);
    Posix.lchown(link, 1234, 5678);
    assertEquals(1234, Posix.lstat(link).uid());
    assertEquals(5678, Posix.lstat(link).gid());
    assertEquals(0, Posix.lstat(f).uid());
    Posix.lchown(f, 4_000_000_000L, 7);
    assertEquals(4_000_000_000L, Posix.lstat(f).uid());
  }

  @Test
  void utimensatSetsNanosecondsOnTheLinkItself() throws Exception {
    Path f = Files.createFile(dir.resolve("f"));
    Path link = Files.createSymbolicLink(dir.resolve("l"), f);
    Instant t = Instant.ofEpochSecond(1_234_567_890L, 123_456_789);
    Posix.utimensat(link, null, t);
    assertEquals(t, Posix.lstat(link).mtime());
    assertFalse(Posix.lstat(f).mtime().equals(t));
    Instant before = Instant.ofEpochSecond(-5, 0);
    Posix.utimensat(f, before, before);
    assertEquals(before, Posix.lstat(f).mtime());
  }

  @Test
  void mknodAndMkfifo() throws Exception {
    Path wh = dir.resolve("wh");
    Posix.mknod(wh, Stat.S_IFCHR | 0600, 0, 0);
    Stat s = Posix.lstat(wh);
    assertTrue(s.isWhiteout());
    Path dev = dir.resolve("null");
    Posix.mknod(dev, Stat.S_IFCHR | 0666, 1, 3);
    assertEquals(1, Posix.lstat(dev).rdevMajor());
    assertEquals(3, Posix.lstat(dev).rdevMinor());
    assertFalse(Posix.lstat(dev).isWhiteout());
    Path blk = dir.resolve("blk");
    Posix.mknod(blk, Stat.S_IFBLK | 0660, 259, 70000);
    assertTrue(Posix.lstat(blk).isBlockDevice());
    assertEquals(259, Posix.lstat(blk).rdevMajor());
    assertEquals(70000, Posix.lstat(blk).rdevMinor());
    Path fifo = dir.resolve("fifo");
    Posix.mkfifo(fifo, 0644);
    assertTrue(Posix.lstat(fifo).isFifo());
    assertThrows(PosixException.class, () -> Posix.mkfifo(fifo, 0644));
  }

  @Test
  void xattrsRoundTripWithBinaryValues() throws Exception {
    Path f = Files.createFile(dir.resolve("f"));
    byte[] binary = {1, 0, 0, 2, (byte) 0xff, (byte) 0x80, 0};
    Posix.lsetxattr(f, "user.bin", binary);
    Posix.lsetxattr(f, "trusted.overlay.opaque", "y".getBytes(UTF_8));
    Posix.lsetxattr(f, "user.big", new byte[3000]);
    assertArrayEquals(binary, Posix.lgetxattr(f, "user.bin").orElseThrow());
    assertEquals(3000, Posix.lgetxattr(f, "user.big").orElseThrow().length);
    assertEquals(Optional.empty(), Posix.lgetxattr(f, "user.none"));
    assertEquals(
        List.of("trusted.overlay.opaque", "user.big", "user.bin"),
        List.copyOf(Posix.lgetxattrs(f).keySet()));
    Posix.lremovexattr(f, "user.bin");
    Posix.lremovexattr(f, "user.bin");
    assertFalse(Posix.llistxattr(f).contains("user.bin"));
    Path link = Files.createSymbolicLink(dir.resolve("l"), f);
    Posix.lsetxattr(link, "trusted.x", new byte[] {1});
    assertTrue(Posix.llistxattr(link).contains("trusted.x"));
    assertFalse(Posix.llistxattr(f).contains("trusted.x"));
  }

  @Test
  void nativeFunctionThrowsWithErrnoAndOperand() throws Exception {
    Native.Function rmdir = Native.function("rmdir", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    Path missing = dir.resolve("missing");
    try (Arena arena = Arena.ofConfined()) {
      PosixException e =
          assertThrows(
              PosixException.class,
              () -> rmdir.call(missing.toString(), arena.allocateFrom(missing.toString())));
      assertEquals(Errno.ENOENT, e.errno());
      assertEquals("rmdir", e.call());
      Path empty = Files.createDirectory(dir.resolve("empty"));
      assertEquals(0L, rmdir.call(empty.toString(), arena.allocateFrom(empty.toString())));
      assertFalse(Files.exists(empty, LinkOption.NOFOLLOW_LINKS));
    }
    assertEquals(0, Posix.geteuid());
    assertEquals(0, Posix.umask() & ~0777);
  }
}
