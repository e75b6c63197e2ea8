package dev.jbuild.layercache.fs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Escape attempts against the confined toolkit, each with openat2 (AUTO on this kernel) and with
 * the component walk that replaces it where the kernel lacks openat2. Outside the root sits {@code
 * outside/secret}; nothing may read it, write next to it or change it.
 */
class RootDirTest {
  @TempDir Path tmp;
  Path root;
  Path outside;

  void tree() throws IOException {
    root = Files.createDirectories(tmp.resolve("root"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret"), "host secret\n");
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    Files.writeString(root.resolve("secret"), "image secret\n");
    Files.createSymbolicLink(root.resolve("abs"), Path.of("/"));
    Files.createSymbolicLink(root.resolve("host"), outside);
    Files.createSymbolicLink(root.resolve("up"), Path.of("../../../../../../.."));
    Files.createSymbolicLink(root.resolve("self"), Path.of("/proc/self/root"));
    Files.createDirectories(root.resolve("d/e"));
    Files.createSymbolicLink(root.resolve("d/e/back"), Path.of("../../etc"));
    Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
  }

  private static String read(RootDir r, String rel) throws IOException {
    return new String(r.readFile(rel, 1 << 20).orElseThrow(), UTF_8);
  }

  @ParameterizedTest
  @EnumSource(RootDir.Resolution.class)
  void symlinksAndDotDotStayInsideTheRoot(RootDir.Resolution how) throws IOException {
    tree();
    try (RootDir r = RootDir.open(root, how)) {
      assertEquals(how == RootDir.Resolution.WALK, r.walks());
      assertEquals("image secret\n", read(r, "abs/secret"));
      assertEquals("image secret\n", read(r, "/abs/abs/../secret"));
      assertEquals("image secret\n", read(r, "../../../secret"));
      assertEquals("image secret\n", read(r, "up/secret"));
      assertEquals("image secret\n", read(r, "etc/../../../secret"));
      assertTrue(read(r, "d/e/back/passwd").startsWith("root:"));
      assertEquals(Optional.empty(), r.readFile("host/secret", 100));
      assertEquals(Optional.empty(), r.readFile(outside + "/secret", 100));
      assertEquals("etc", r.realPath("d/e/back", true));
      assertEquals("d/e/back", r.realPath("d/e/back", false));
      assertEquals("", r.realPath("up", true));
      assertEquals("", r.realPath("abs/..", true));
      assertTrue(r.lstat("abs").isSymlink());
      assertTrue(r.stat("abs", true).isDirectory());
      assertNull(r.lstat("host/secret"));
      PosixException loop =
          assertThrows(PosixException.class, () -> r.resolve("loop/x", true, false));
      assertEquals(Errno.ELOOP, loop.errno());
    }
  }

  @ParameterizedTest
  @EnumSource(RootDir.Resolution.class)
  void magicLinksNeverReachTheHost(RootDir.Resolution how) throws IOException {
    tree();
    try (RootDir r = RootDir.open(root, how)) {
      // inside the root /proc/self/root is just a missing path
      assertEquals(Optional.empty(), r.readFile("self/" + outside + "/secret", 100));
    }
    // a root that holds real magic links: /proc/self (root -> "/", cwd, fd/N)
    try (RootDir proc = RootDir.open(Path.of("/proc/self"), how)) {
      String hostFile = outside.resolve("secret").toString();
      for (String p : new String[] {"root" + hostFile, "cwd/" + hostFile, "root/etc/hostname"}) {
        Optional<byte[]> got;
        try {
          got = proc.readFile(p, 100);
        } catch (PosixException pe) {
          assertEquals(Errno.ELOOP, pe.errno(), pe.getMessage());
          continue;
        }
        assertEquals(Optional.empty(), got, p);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(RootDir.Resolution.class)
  void noSymlinksRefusesEveryLink(RootDir.Resolution how) throws IOException {
    tree();
    try (RootDir r = RootDir.open(root, how)) {
      PosixException e = assertThrows(PosixException.class, () -> r.openDir("d/e/back", true));
      assertEquals(Errno.ELOOP, e.errno());
      try (Dir d = r.openDir("d/e", true)) {
        assertTrue(d.lstat("back").isSymlink());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(RootDir.Resolution.class)
  void readsOnlyBoundedRegularFiles(RootDir.Resolution how) throws IOException {
    tree();
    Posix.mkfifo(root.resolve("etc/fifo"), 0644);
    Posix.mknod(root.resolve("etc/zero"), Stat.S_IFCHR | 0644, 1, 5);
    Files.createSymbolicLink(root.resolve("etc/group"), Path.of("fifo"));
    Files.write(root.resolve("etc/big"), new byte[5000]);
    try (RootDir r = RootDir.open(root, how)) {
      ConfinedFileException fifo =
          assertThrows(ConfinedFileException.class, () -> r.readFile("/etc/fifo", 100));
      assertEquals("/etc/fifo is a fifo, not a regular file", fifo.getMessage());
      assertThrows(ConfinedFileException.class, () -> r.readFile("/etc/group", 100));
      ConfinedFileException zero =
          assertThrows(ConfinedFileException.class, () -> r.readFile("etc/zero", 100));
      assertEquals("/etc/zero is a character device 1:5, not a regular file", zero.getMessage());
      assertThrows(ConfinedFileException.class, () -> r.readFile("etc", 100));
      ConfinedFileException big =
          assertThrows(ConfinedFileException.class, () -> r.readFile("etc/big", 4999));
      assertTrue(big.getMessage().contains("larger than 4999 bytes"), big.getMessage());
      assertEquals(5000, r.readFile("etc/big", 5000).orElseThrow().length);
    }
  }

  @ParameterizedTest
  @EnumSource(RootDir.Resolution.class)
  void writesThroughDirectoryDescriptorsNeverFollowTheEntry(RootDir.Resolution how)
      throws IOException {
    tree();
    Instant before = Posix.lstat(outside).mtime();
    try (RootDir r = RootDir.open(root, how);
        Dir d = r.openDir("/abs/d")) {
      // an entry that is a symlink to the outside is replaced or refused, never written through
      assertEquals(
          Errno.EEXIST,
          assertThrows(PosixException.class, () -> r.dir().createFile("host", 0644)).errno());
      assertThrows(PosixException.class, () -> r.dir().chmod("host", 0777));
      r.dir().chown("host", 4242, 4242);
      r.dir().setTimes("host", null, Instant.ofEpochSecond(5));
      assertThrows(PosixException.class, () -> r.dir().openDir("host"));
      r.dir().unlink("host");
      int fd = d.createFile("new", 0600);
      At.close(fd);
      d.chown("new", 7, 8);
      d.chmod("new", 04755); // after chown, which clears setuid
      d.setxattr("new", "user.k", new byte[] {1, 2});
      assertEquals(2, d.getxattr("new", "user.k").orElseThrow().length);
      d.mkdir("sub", 0700);
      d.symlink("ln", "/etc/passwd");
      d.link("hard", d, "new");
      d.mknod("fifo", Stat.S_IFIFO | 0600, 0, 0);
      assertEquals("/etc/passwd", d.readlink("ln"));
      Stat st = d.lstat("new");
      assertEquals(04755, st.permissions());
      assertEquals(7, st.uid());
      assertEquals(2, st.nlink());
      assertTrue(Files.isRegularFile(root.resolve("d/new")));
    }
    Stat out = Posix.lstat(outside);
    assertEquals(0, out.uid());
    assertEquals(before, out.mtime());
    assertEquals(1, Files.list(outside).count());
    assertTrue(Files.isDirectory(root.resolve("d/sub")));
  }

  @Test
  void aMissingRootIsAnError() {
    assertThrows(PosixException.class, () -> RootDir.open(tmp.resolve("none")));
  }
}
