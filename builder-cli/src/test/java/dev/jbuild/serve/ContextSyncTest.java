package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A kept context directory made equal to a new context tar, rewriting only what changed. */
class ContextSyncTest {
  @TempDir Path tmp;

  private Path tar(Path src, String name, String... options) throws Exception {
    Path out = tmp.resolve(name);
    java.util.List<String> argv =
        new java.util.ArrayList<>(java.util.List.of("tar", "--format=pax"));
    argv.addAll(java.util.List.of(options));
    argv.addAll(java.util.List.of("-C", src.toString(), "-cf", out.toString(), "."));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String msg = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), msg);
    return out;
  }

  /** path -> type, mode, size, mtime and content of every entry (links not followed). */
  private static Map<String, String> tree(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.toList()) {
        if (p.equals(dir)) {
          continue;
        }
        String rel = dir.relativize(p).toString();
        if (Files.isSymbolicLink(p)) {
          out.put(rel, "link " + Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          out.put(rel, "dir " + Files.getAttribute(p, "unix:mode"));
        } else {
          out.put(
              rel,
              "file "
                  + Files.getAttribute(p, "unix:mode")
                  + " "
                  + Files.getLastModifiedTime(p).toInstant().getEpochSecond()
                  + " "
                  + Files.readString(p));
        }
      }
    }
    return out;
  }

  private ContextSync.Stats sync(Path tar, Path dir, String delta) throws IOException {
    try (var in = Files.newInputStream(tar)) {
      return ContextSync.sync(in, dir, tmp.resolve(delta), 1L << 30);
    }
  }

  private static Object inode(Path p) throws IOException {
    return Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
  }

  @Test
  void aSecondContextRewritesOnlyWhatChanged() throws Exception {
    Path v = Files.createDirectories(tmp.resolve("v"));
    Files.writeString(v.resolve("a"), "same");
    Files.createDirectories(v.resolve("d"));
    Files.writeString(v.resolve("d/b"), "old!");
    Files.writeString(v.resolve("d/c"), "gone soon");
    FileTime t = FileTime.from(Instant.parse("2024-01-02T03:04:05Z"));
    Files.setLastModifiedTime(v.resolve("d/b"), t);
    String big = "0123456789".repeat(20_000);
    Files.writeString(v.resolve("big"), big);
    Files.setLastModifiedTime(v.resolve("big"), t);
    Path dir = Files.createDirectories(tmp.resolve("kept"));

    ContextSync.Stats first = sync(tar(v, "1.tar"), dir, "delta1");
    assertEquals(0, first.kept());
    assertEquals(tree(v), tree(dir));
    Object inodeA = inode(dir.resolve("a"));

    // same size and mtime, other bytes: found by comparing, not by metadata
    Files.writeString(v.resolve("d/b"), "new!");
    Files.setLastModifiedTime(v.resolve("d/b"), t);
    Files.delete(v.resolve("d/c"));
    // differs past the first chunks: the equal prefix comes back from the kept file
    Files.writeString(v.resolve("big"), big.substring(0, 150_000) + "X" + big.substring(150_001));
    Files.setLastModifiedTime(v.resolve("big"), t);
    Files.writeString(v.resolve("e"), "added");
    ContextSync.Stats second = sync(tar(v, "2.tar"), dir, "delta2");
    assertEquals(tree(v), tree(dir));
    assertEquals(inodeA, inode(dir.resolve("a")), "an unchanged file was rewritten");
    assertEquals(1, second.kept());
    assertEquals(1, second.deleted());
  }

  @Test
  void aSymlinkLeftInTheKeptDirectoryIsNeverWrittenThrough() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("f"), "host file");
    // not named by the new context: the deletion of what it does not name must not reach it
    Files.writeString(outside.resolve("g"), "another host file");
    Path dir = Files.createDirectories(tmp.resolve("kept"));
    Files.createSymbolicLink(dir.resolve("x"), outside);
    Path v = Files.createDirectories(tmp.resolve("v"));
    Files.createDirectories(v.resolve("x"));
    Files.writeString(v.resolve("x/f"), "host file"); // the same bytes as the host's file
    Files.setLastModifiedTime(v.resolve("x/f"), Files.getLastModifiedTime(outside.resolve("f")));

    sync(tar(v, "1.tar"), dir, "delta");
    assertFalse(Files.isSymbolicLink(dir.resolve("x")));
    assertEquals(tree(v), tree(dir));
    assertEquals("host file", Files.readString(outside.resolve("f")));
    assertEquals("another host file", Files.readString(outside.resolve("g")));
    try (Stream<Path> s = Files.list(outside)) {
      assertEquals(2, s.count());
    }
  }

  @Test
  void aFileWhoseOwnerChangedIsWrittenAgain() throws Exception {
    Path v = Files.createDirectories(tmp.resolve("v"));
    Files.writeString(v.resolve("a"), "same");
    Path dir = Files.createDirectories(tmp.resolve("kept"));
    sync(tar(v, "1.tar", "--owner=0", "--group=0"), dir, "delta1");
    ContextSync.Stats second = sync(tar(v, "2.tar", "--owner=1234", "--group=0"), dir, "delta2");
    assertEquals(0, second.kept());
    assertEquals(1234, Files.getAttribute(dir.resolve("a"), "unix:uid", LinkOption.NOFOLLOW_LINKS));
    ContextSync.Stats third = sync(tar(v, "3.tar", "--owner=1234", "--group=0"), dir, "delta3");
    assertEquals(1, third.kept());
    assertEquals(4, third.bytes());
  }

  @Test
  void aFileKeptTwiceIsCountedOnceAndWhatIsNotNamedGoes() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("kept"));
    Files.createDirectories(dir.resolve("d"));
    Files.writeString(dir.resolve("d/held"), "12345");
    Files.writeString(dir.resolve("stale"), "x");
    ContextSync.Stats stats;
    try (ContextSync.Session s = new ContextSync.Session(dir, tmp.resolve("delta"), 1L << 20)) {
      s.keep("d/held", 5);
      s.keep("d/held", 5); // a manifest naming it twice
      stats = s.finish();
    }
    assertEquals(1, stats.kept());
    assertEquals(5, stats.bytes());
    assertEquals("12345", Files.readString(dir.resolve("d/held")));
    assertFalse(Files.exists(dir.resolve("stale")));
  }
}
