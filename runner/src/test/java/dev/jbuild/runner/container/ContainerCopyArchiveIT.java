package dev.jbuild.runner.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.tar.EntryType;
import dev.jbuild.layercache.tar.LayerReader;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import dev.jbuild.layercache.tar.TarEntry;
import dev.jbuild.runner.RunnerException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ContainerCopy}'s side of the daemon's container archives over a plain directory as the
 * container's root (as root: owners from the archive are applied): the tar of a path, the path
 * stat, extraction with docker's API rules, and symlinks that lead out. Containers themselves
 * (running and stopped) are builder-cli's {@code ContainerCopyIT} and {@code
 * ContainersDockerCliIT}.
 */
class ContainerCopyArchiveIT {
  @TempDir Path tmp;

  private Path root() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("root"));
    Files.createDirectories(root.resolve("srv/d"));
    Files.writeString(root.resolve("srv/d/f.txt"), "inside\n");
    Files.createSymbolicLink(root.resolve("srv/d/etc-link"), Path.of("/etc"));
    Files.createDirectories(root.resolve("etc"));
    return root;
  }

  private static byte[] pack(Path root, String path) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (RootDir r = RootDir.open(root)) {
      ContainerCopy.archive(r, path, stat -> out, "c:" + path);
    }
    return out.toByteArray();
  }

  private static PathStat stat(Path root, String path) throws IOException {
    try (RootDir r = RootDir.open(root)) {
      return PathStat.of(r, path);
    }
  }

  private static void extract(Path root, String dir, byte[] tar, boolean noOverwrite)
      throws IOException {
    try (RootDir r = RootDir.open(root)) {
      ContainerCopy.extract(r, dir, new ByteArrayInputStream(tar), noOverwrite, "c:" + dir);
    }
  }

  private static Map<String, TarEntry> entries(byte[] tar) throws IOException {
    Map<String, TarEntry> out = new LinkedHashMap<>();
    try (LayerReader r = LayerReader.open(new ByteArrayInputStream(tar))) {
      TarEntry e;
      while ((e = r.next()) != null) {
        out.put(e.name(), e);
      }
    }
    return out;
  }

  @Test
  void packsATreeUnderItsBaseNameWithSymlinksAsSymlinks() throws IOException {
    Path root = root();
    Map<String, TarEntry> e = entries(pack(root, "/srv/d"));
    assertEquals(
        java.util.List.of("d", "d/etc-link", "d/f.txt"), java.util.List.copyOf(e.keySet()));
    assertEquals(EntryType.SYMLINK, e.get("d/etc-link").type());
    assertEquals("/etc", e.get("d/etc-link").linkName());
    assertEquals(7, e.get("d/f.txt").size());

    PathStat s = stat(root, "/srv/d/etc-link");
    assertEquals("etc-link", s.name());
    assertEquals("/etc", s.linkTarget());
    assertEquals(1L << 27, s.mode() & (1L << 27));
    assertTrue(stat(root, "/srv/d").isDirectory());
    // a trailing "/." names the directory itself, under its base name
    assertEquals(
        java.util.List.of("d", "d/etc-link", "d/f.txt"),
        java.util.List.copyOf(entries(pack(root, "/srv/d/.")).keySet()));
  }

  @Test
  void aSymlinkToAHostPathResolvesInsideTheRoot() throws IOException {
    Path root = root();
    Path host = Files.createDirectories(tmp.resolve("host"));
    Files.writeString(host.resolve("secret"), "host\n");
    Files.createSymbolicLink(root.resolve("srv/escape"), host);
    RunnerException e = assertThrows(RunnerException.class, () -> pack(root, "/srv/escape/secret"));
    assertEquals("Could not find the file /srv/escape/secret in container", e.getMessage());
    Files.createSymbolicLink(root.resolve("srv/up"), Path.of("../../../../.."));
    byte[] out = pack(root, "/srv/up/srv/d/f.txt"); // .. stops at the root
    assertEquals(java.util.List.of("f.txt"), java.util.List.copyOf(entries(out).keySet()));
  }

  @Test
  void extractsAndNeverWritesThroughASymlink() throws IOException {
    Path root = root();
    Path host = Files.createDirectories(tmp.resolve("host"));
    Files.writeString(host.resolve("victim"), "untouched\n");
    // a symlink in the container where the archive puts a file: replaced, not written through
    Files.createSymbolicLink(root.resolve("srv/victim"), host.resolve("victim"));
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    LayerWriter w = LayerWriter.open(tar, LayerWriterOptions.defaults().withThreads(1));
    byte[] data = "new\n".getBytes(StandardCharsets.UTF_8);
    w.add(TarEntry.directory("new-dir").withOwner(1000, 1000).withMode(0750));
    w.add(
        TarEntry.file("new-dir/a.txt", data.length).withMode(0640), new ByteArrayInputStream(data));
    w.add(TarEntry.file("victim", data.length), new ByteArrayInputStream(data));
    w.finish();
    extract(root, "/srv", tar.toByteArray(), true);
    assertEquals("new\n", Files.readString(root.resolve("srv/new-dir/a.txt")));
    assertEquals(1000, Files.getAttribute(root.resolve("srv/new-dir"), "unix:uid"));
    assertFalse(Files.isSymbolicLink(root.resolve("srv/victim")));
    assertEquals("new\n", Files.readString(root.resolve("srv/victim")));
    assertEquals("untouched\n", Files.readString(host.resolve("victim")));

    // a symlink entry, then a file below it: refused by name, nothing written outside
    ByteArrayOutputStream evil = new ByteArrayOutputStream();
    LayerWriter w2 = LayerWriter.open(evil, LayerWriterOptions.defaults().withThreads(1));
    w2.add(TarEntry.symlink("out", host.toString()));
    w2.add(TarEntry.file("out/pwned", data.length), new ByteArrayInputStream(data));
    w2.finish();
    RunnerException e =
        assertThrows(RunnerException.class, () -> extract(root, "/srv", evil.toByteArray(), true));
    assertEquals(
        "cannot extract out/pwned to c:/srv: out is a symlink, not a directory", e.getMessage());
    assertFalse(Files.exists(host.resolve("pwned")));

    // a directory where the archive has a file, with noOverwriteDirNonDir
    ByteArrayOutputStream clash = new ByteArrayOutputStream();
    LayerWriter w3 = LayerWriter.open(clash, LayerWriterOptions.defaults().withThreads(1));
    w3.add(TarEntry.file("d", 0).withMtime(Instant.EPOCH));
    w3.finish();
    RunnerException c =
        assertThrows(RunnerException.class, () -> extract(root, "/srv", clash.toByteArray(), true));
    assertEquals("cannot overwrite directory d with non-directory", c.getMessage());
    assertTrue(Files.isDirectory(root.resolve("srv/d")));
    // without it the directory is replaced, as docker's untar does
    extract(root, "/srv", clash.toByteArray(), false);
    assertTrue(Files.isRegularFile(root.resolve("srv/d")));

    // the destination must be an existing directory
    RunnerException missing =
        assertThrows(RunnerException.class, () -> extract(root, "/nope", tar.toByteArray(), true));
    assertEquals("Could not find the file /nope in container", missing.getMessage());
    RunnerException file =
        assertThrows(
            RunnerException.class, () -> extract(root, "/srv/victim", tar.toByteArray(), true));
    assertEquals("extraction point is not a directory: /srv/victim", file.getMessage());
  }
}
