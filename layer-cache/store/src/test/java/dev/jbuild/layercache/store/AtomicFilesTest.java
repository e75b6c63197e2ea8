package dev.jbuild.layercache.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Crash safety of {@link AtomicFiles}: whatever fails (creating the temp file, a write, the fsync,
 * the rename, the directory fsync), the target holds its old content or the new one, and no temp
 * file stays behind; temp files of killed writers are swept.
 */
class AtomicFilesTest {
  @TempDir Path dir;

  /**
   * Two builds (two platforms) installing one layer at once: the loser's rename of a non-empty
   * directory fails with ENOTEMPTY, which must mean "already there", not an error.
   */
  @Test
  void moveIfAbsentOfDirectoriesRacingForOneTargetInstallsOneAndFailsNone() throws Exception {
    for (int round = 0; round < 30; round++) {
      Path target = dir.resolve("layer-" + round);
      int n = 6;
      List<Path> sources = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        Path src = Files.createDirectories(dir.resolve("src-" + round + "-" + i).resolve("diff"));
        Files.writeString(src.resolve("file"), "content " + i);
        sources.add(src);
      }
      java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(n);
      java.util.concurrent.atomic.AtomicInteger won =
          new java.util.concurrent.atomic.AtomicInteger();
      try (var pool = java.util.concurrent.Executors.newFixedThreadPool(n)) {
        List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
        for (Path src : sources) {
          fs.add(
              pool.submit(
                  () -> {
                    start.await();
                    if (AtomicFiles.moveIfAbsent(src, target)) {
                      won.incrementAndGet();
                    }
                    return null;
                  }));
        }
        for (var f : fs) {
          f.get(); // a failed rename would throw here
        }
      }
      assertEquals(1, won.get());
      assertTrue(Files.isRegularFile(target.resolve("file")));
    }
  }

  private static final byte[] OLD = "old content\n".getBytes(StandardCharsets.UTF_8);

  @AfterEach
  void noFaults() {
    AtomicFiles.FAULTS.remove();
  }

  /** New content bigger than the helper's buffer, written in pieces of every size. */
  private static byte[] bigContent() {
    byte[] b = new byte[300_000];
    new Random(7).nextBytes(b);
    return b;
  }

  private static void writePieces(OutputStream out, byte[] b) throws IOException {
    int i = 0;
    int step = 1;
    while (i < b.length) {
      int n = Math.min(step, b.length - i);
      if (n == 1) {
        out.write(b[i]);
      } else {
        out.write(b, i, n);
      }
      i += n;
      step = step * 3 + 1; // 1, 4, 13, ... up to pieces larger than the buffer
    }
  }

  private List<String> names(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesStreamedContentWithPrivateModeAndLeavesNothingElse() throws IOException {
    Path target = dir.resolve("doc");
    byte[] big = bigContent();
    AtomicFiles.write(target, out -> writePieces(out, big));
    assertArrayEquals(big, Files.readAllBytes(target));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    assertEquals(List.of("doc"), names(dir));

    AtomicFiles.write(target, OLD, AtomicFiles.Options.DEFAULT.withMode(0644));
    assertArrayEquals(OLD, Files.readAllBytes(target));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    assertEquals(List.of("doc"), names(dir));
  }

  @ParameterizedTest
  @EnumSource(
      value = AtomicFiles.Point.class,
      names = {"CREATE", "WRITE", "FSYNC", "RENAME"})
  void aFailureBeforeTheRenameKeepsTheOldContent(AtomicFiles.Point point) throws IOException {
    Path target = dir.resolve("doc");
    Files.write(target, OLD);
    failAt(point);
    byte[] big = bigContent();
    IOException e =
        assertThrows(
            IOException.class, () -> AtomicFiles.write(target, out -> writePieces(out, big)));
    assertEquals("injected at " + point, e.getMessage());
    assertArrayEquals(OLD, Files.readAllBytes(target));
    assertEquals(List.of("doc"), names(dir), "temp file swept");
  }

  @ParameterizedTest
  @EnumSource(
      value = AtomicFiles.Point.class,
      names = {"CREATE", "WRITE", "FSYNC", "RENAME"})
  void aFailureBeforeTheRenameLeavesAnAbsentTargetAbsent(AtomicFiles.Point point)
      throws IOException {
    Path staging = Files.createDirectory(dir.resolve("staging"));
    Path target = dir.resolve("doc");
    failAt(point);
    assertThrows(
        IOException.class,
        () -> AtomicFiles.write(target, OLD, AtomicFiles.Options.DEFAULT.stagedIn(staging)));
    assertFalse(Files.exists(target));
    assertEquals(List.of("staging"), names(dir));
    assertEquals(List.of(), names(staging), "temp file swept");
  }

  @Test
  void aFailedDirectoryFsyncComesAfterTheRenameSoTheNewContentIsThere() throws IOException {
    Path target = dir.resolve("doc");
    Files.write(target, OLD);
    failAt(AtomicFiles.Point.DIR_FSYNC);
    assertThrows(IOException.class, () -> AtomicFiles.write(target, "new".getBytes()));
    assertEquals("new", Files.readString(target));
    assertEquals(List.of("doc"), names(dir));
  }

  @Test
  void withoutFsyncNoFsyncIsAttempted() throws IOException {
    Path target = dir.resolve("doc");
    AtomicFiles.FAULTS.set(
        (p, path) -> {
          if (p == AtomicFiles.Point.FSYNC || p == AtomicFiles.Point.DIR_FSYNC) {
            throw new IOException("fsync called");
          }
        });
    AtomicFiles.write(target, OLD, AtomicFiles.Options.DEFAULT.withoutFsync());
    assertArrayEquals(OLD, Files.readAllBytes(target));
  }

  @Test
  void aContentSourceThatFailsMidwayKeepsTheOldContent() throws IOException {
    Path target = dir.resolve("doc");
    Files.write(target, OLD);
    byte[] big = bigContent();
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                AtomicFiles.write(
                    target,
                    out -> {
                      out.write(big); // already past the buffer: on disk in the temp file
                      throw new IOException("source broke");
                    }));
    assertEquals("source broke", e.getMessage());
    assertArrayEquals(OLD, Files.readAllBytes(target));
    assertEquals(List.of("doc"), names(dir));
  }

  @Test
  void aRealRenameFailureKeepsWhatIsThere() throws IOException {
    // the target is a non-empty directory: rename(2) fails with EISDIR
    Path target = Files.createDirectory(dir.resolve("doc"));
    Files.write(target.resolve("inside"), OLD);
    assertThrows(IOException.class, () -> AtomicFiles.write(target, "new".getBytes()));
    assertArrayEquals(OLD, Files.readAllBytes(target.resolve("inside")));
    assertEquals(List.of("doc"), names(dir));
  }

  @Test
  void aRealCrossDeviceRenameFailsAndSweepsItsTemp() throws IOException {
    // staging on another file system: rename(2) fails with EXDEV, never a copy
    Path shm = Files.createTempDirectory(Path.of("/dev/shm"), "atomic-");
    try {
      assertFalse(
          Files.getFileStore(shm).equals(Files.getFileStore(dir)), "needs two file systems");
      Path target = dir.resolve("doc");
      Files.write(target, OLD);
      assertThrows(
          AtomicMoveNotSupportedException.class,
          () ->
              AtomicFiles.write(
                  target, "new".getBytes(), AtomicFiles.Options.DEFAULT.stagedIn(shm)));
      assertArrayEquals(OLD, Files.readAllBytes(target));
      assertEquals(List.of(), names(shm));
    } finally {
      AtomicFiles.deleteTree(shm);
    }
  }

  @Test
  void sweepRemovesTempFilesOfDeadWritersAndStaleOnesOnly() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    long dead = p.pid();
    long self = ProcessHandle.current().pid();
    String rnd = "0123456789abcdef";
    Path deadTemp = Files.write(dir.resolve(".doc.jbuild-tmp." + dead + "." + rnd), OLD);
    Path liveTemp = Files.write(dir.resolve(".doc.jbuild-tmp." + self + "." + rnd), OLD);
    Path staleTemp = Files.write(dir.resolve(".other.jbuild-tmp." + self + "." + rnd), OLD);
    Files.setLastModifiedTime(staleTemp, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
    Path lookalike = Files.write(dir.resolve(".doc.jbuild-tmp.x"), OLD);
    Path target = Files.write(dir.resolve("doc"), OLD);

    assertEquals(2, AtomicFiles.sweep(dir));
    assertFalse(Files.exists(deadTemp));
    assertFalse(Files.exists(staleTemp));
    assertTrue(Files.exists(liveTemp), "a running writer's temp file stays");
    assertTrue(Files.exists(lookalike));
    assertTrue(Files.exists(target));
    assertEquals(0, AtomicFiles.sweep(dir.resolve("missing")));
  }

  @Test
  void tempNamesAreRecognisedAndBounded() {
    String name = AtomicFiles.tempName("x".repeat(255));
    assertTrue(name.length() < 150, name);
    assertTrue(AtomicFiles.isTempName(name), name);
    assertTrue(AtomicFiles.isTempName(AtomicFiles.tempName("index.json")));
    assertFalse(AtomicFiles.isTempName("index.json"));
  }

  private static void failAt(AtomicFiles.Point point) {
    AtomicFiles.FAULTS.set(
        (p, path) -> {
          if (p == point) {
            throw new IOException("injected at " + p);
          }
        });
  }
}
