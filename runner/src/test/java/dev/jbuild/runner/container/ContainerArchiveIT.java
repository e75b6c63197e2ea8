package dev.jbuild.runner.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The daemon's container archives over a plain directory as the container's root (as root: owners
 * from the archive are applied): packing, the path stat, extraction, and symlinks that lead out.
 */
class ContainerArchiveIT {
  @TempDir Path tmp;

  private Path root() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("root"));
    Files.createDirectories(root.resolve("srv/d"));
    Files.writeString(root.resolve("srv/d/f.txt"), "inside\n");
    Files.createSymbolicLink(root.resolve("srv/d/etc-link"), Path.of("/etc"));
    Files.createDirectories(root.resolve("etc"));
    return root;
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
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ContainerArchive.pack(root, "/srv/d", out);
    Map<String, TarEntry> e = entries(out.toByteArray());
    assertEquals(
        java.util.List.of("d", "d/etc-link", "d/f.txt"), java.util.List.copyOf(e.keySet()));
    assertEquals(EntryType.SYMLINK, e.get("d/etc-link").type());
    assertEquals("/etc", e.get("d/etc-link").linkName());
    assertEquals(7, e.get("d/f.txt").size());

    ContainerArchive.PathStat s = ContainerArchive.stat(root, "/srv/d/etc-link");
    assertEquals("etc-link", s.name());
    assertEquals("/etc", s.linkTarget());
    assertTrue(ContainerArchive.stat(root, "/srv/d").isDirectory());
  }

  @Test
  void aSymlinkToAHostPathResolvesInsideTheRoot() throws IOException {
    Path root = root();
    Path host = Files.createDirectories(tmp.resolve("host"));
    Files.writeString(host.resolve("secret"), "host\n");
    Files.createSymbolicLink(root.resolve("srv/escape"), host);
    RunnerException e =
        assertThrows(
            RunnerException.class,
            () -> ContainerArchive.pack(root, "/srv/escape/secret", new ByteArrayOutputStream()));
    assertEquals("Could not find the file /srv/escape/secret in container", e.getMessage());
    Files.createSymbolicLink(root.resolve("srv/up"), Path.of("../../../../.."));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ContainerArchive.pack(root, "/srv/up/srv/d/f.txt", out); // .. stops at the root
    assertEquals(
        java.util.List.of("f.txt"), java.util.List.copyOf(entries(out.toByteArray()).keySet()));
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
    ContainerArchiveWriter.extract(root, "/srv", new ByteArrayInputStream(tar.toByteArray()), true);
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
        assertThrows(
            RunnerException.class,
            () ->
                ContainerArchiveWriter.extract(
                    root, "/srv", new ByteArrayInputStream(evil.toByteArray()), true));
    assertEquals("cannot extract out/pwned: out is a symlink (not followed)", e.getMessage());
    assertFalse(Files.exists(host.resolve("pwned")));

    // a directory where the archive has a file, with noOverwriteDirNonDir
    ByteArrayOutputStream clash = new ByteArrayOutputStream();
    LayerWriter w3 = LayerWriter.open(clash, LayerWriterOptions.defaults().withThreads(1));
    w3.add(TarEntry.file("d", 0).withMtime(Instant.EPOCH));
    w3.finish();
    RunnerException c =
        assertThrows(
            RunnerException.class,
            () ->
                ContainerArchiveWriter.extract(
                    root, "/srv", new ByteArrayInputStream(clash.toByteArray()), true));
    assertEquals("cannot overwrite directory d with non-directory", c.getMessage());
  }
}
