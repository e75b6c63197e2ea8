package dev.jbuild.layercache.tar;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.testing.Proc;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** write -> read -> apply -> walk, comparing metadata and contents. Needs root. */
class RoundTripTest {
  @TempDir Path dir;

  /** The sample without whiteouts (they do not survive FLAT application as entries). */
  static List<TarEntry> plainSample() {
    List<TarEntry> out = new ArrayList<>();
    for (TarEntry e : LayerWriterTest.sampleEntries()) {
      if (!e.isWhiteout() && !e.isOpaqueMarker()) {
        out.add(e);
      }
    }
    return out;
  }

  static byte[] tar(List<TarEntry> entries, Compression c) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (LayerWriter w = LayerWriter.open(out, LayerWriterOptions.of(c))) {
      for (TarEntry e : entries) {
        w.add(e, new ByteArrayInputStream(LayerWriterTest.content(e)));
      }
      w.finish();
    }
    return out.toByteArray();
  }

  static Map<String, TarEntry> walk(Path root) throws Exception {
    Map<String, TarEntry> found = new TreeMap<>(TarNames.ORDER);
    DirectoryWalker.walk(
        root,
        DirectoryWalker.Options.defaults().withXattrs(n -> !n.startsWith("security.selinux")),
        (e, src) -> found.put(e.name(), e));
    return found;
  }

  @Test
  void readerGivesBackWhatTheWriterWrote() throws Exception {
    for (Compression c : List.of(Compression.NONE, Compression.GZIP, Compression.ZSTD)) {
      List<TarEntry> expected = LayerWriterTest.sampleEntries();
      List<TarEntry> read = new ArrayList<>();
      try (LayerReader r = LayerReader.open(new ByteArrayInputStream(tar(expected, c)))) {
        for (TarEntry e; (e = r.next()) != null; ) {
          read.add(e);
          assertArrayEquals(LayerWriterTest.content(e), r.content().readAllBytes(), e.name());
        }
      }
      List<TarEntry> seconds = new ArrayList<>();
      for (TarEntry e : expected) {
        seconds.add(e.withMtime(Instant.ofEpochSecond(e.mtime().getEpochSecond())));
      }
      assertEquals(seconds, read, c.toString());
    }
  }

  @Test
  void everyEntryTypeSurvivesApplyAndWalk() throws Exception {
    for (boolean fromFile : List.of(false, true)) {
      Path root = Files.createDirectory(dir.resolve("root-" + fromFile));
      byte[] tar = tar(plainSample(), fromFile ? Compression.NONE : Compression.GZIP);
      if (fromFile) {
        Path blob = dir.resolve("layer.tar");
        Files.write(blob, tar);
        LayerApplier.apply(blob, root, ApplyMode.FLAT);
      } else {
        LayerApplier.apply(new ByteArrayInputStream(tar), root, ApplyMode.FLAT);
      }
      Map<String, TarEntry> found = walk(root);
      for (TarEntry e : plainSample()) {
        TarEntry got = found.get(e.name());
        assertTrue(got != null, "missing " + e.name());
        TarEntry want = e.withMtime(Instant.ofEpochSecond(e.mtime().getEpochSecond()));
        if (e.type() == EntryType.HARDLINK) {
          assertEquals(EntryType.HARDLINK, got.type(), e.name());
          assertEquals(e.linkName(), got.linkName());
          continue;
        }
        assertEquals(want, got, e.name());
        if (e.type() == EntryType.FILE) {
          assertArrayEquals(LayerWriterTest.content(e), Files.readAllBytes(root.resolve(e.name())));
        }
      }
      // plus the two parents the layer does not list: d/xxx... and var
      assertEquals(plainSample().size() + 2, found.size(), found.keySet().toString());
    }
  }

  @Test
  void gnuTarExtractsTheSameTree() throws Exception {
    Path blob = dir.resolve("layer.tar");
    Files.write(blob, tar(plainSample(), Compression.NONE));
    Path ours = Files.createDirectory(dir.resolve("ours"));
    Path gnu = Files.createDirectory(dir.resolve("gnu"));
    LayerApplier.apply(blob, ours, ApplyMode.PLAIN);
    Proc.run(
        gnu,
        "tar",
        "--numeric-owner",
        "--same-owner",
        "-p",
        "--xattrs",
        "--xattrs-include=*",
        "-xf",
        blob.toString());
    Map<String, TarEntry> a = walk(ours);
    Map<String, TarEntry> b = walk(gnu);
    // parents missing from the layer are made at extraction time: their mtimes differ
    for (String implicit : List.of("var", TarNames.parent(LayerWriterTest.LONG))) {
      a.put(implicit, a.get(implicit).withMtime(Instant.EPOCH));
      b.put(implicit, b.get(implicit).withMtime(Instant.EPOCH));
    }
    assertEquals(b, a);
  }

  @Test
  void overlayModeMakesWhiteoutDevicesAndOpaqueXattrs() throws Exception {
    Path root = Files.createDirectory(dir.resolve("lower"));
    LayerApplier.apply(
        new ByteArrayInputStream(tar(LayerWriterTest.sampleEntries(), Compression.NONE)),
        root,
        ApplyMode.OVERLAY);
    Stat wh = Posix.lstat(root.resolve("var/gone"));
    assertTrue(wh.isWhiteout());
    assertArrayEquals(
        "y".getBytes(UTF_8),
        Posix.lgetxattr(root.resolve("var"), dev.jbuild.layercache.fs.UserNamespace.opaqueXattr())
            .orElseThrow());
    assertFalse(Files.exists(root.resolve("var/.wh..wh..opq")));
    assertTrue(Files.isSymbolicLink(root.resolve("var/long-link")));
  }

  @Test
  void overlayLowerWalksBackToTheSameLayer() throws Exception {
    // The runner's diff capture: whiteout devices -> .wh. files, opaque xattr -> marker.
    Path root = Files.createDirectory(dir.resolve("lower"));
    List<TarEntry> sample = LayerWriterTest.sampleEntries();
    byte[] original = tar(sample, Compression.NONE);
    LayerApplier.apply(new ByteArrayInputStream(original), root, ApplyMode.OVERLAY);
    DirectoryWalker.Hook overlay =
        new DirectoryWalker.Hook() {
          @Override
          public TarEntry entry(DirectoryWalker.WalkedFile f, TarEntry e) {
            if (f.stat().isWhiteout()) {
              return TarEntry.whiteout(e.name(), e.mtime()).withOwner(e.uid(), e.gid());
            }
            return e;
          }

          @Override
          public List<TarEntry> extraChildren(DirectoryWalker.WalkedFile d, String name)
              throws java.io.IOException {
            if (Posix.lgetxattr(d.path(), dev.jbuild.layercache.fs.UserNamespace.opaqueXattr())
                .isPresent()) {
              return List.of(TarEntry.opaque(name, Instant.EPOCH));
            }
            return List.of();
          }
        };
    List<TarEntry> walked = new ArrayList<>();
    DirectoryWalker.walk(
        root, DirectoryWalker.Options.defaults().withHook(overlay), (e, s) -> walked.add(e));
    List<String> names = walked.stream().map(TarEntry::name).toList();
    List<String> expectedNames = new ArrayList<>(sample.stream().map(TarEntry::name).toList());
    expectedNames.add(expectedNames.indexOf("var/.wh..wh..opq"), "var");
    expectedNames.add(
        expectedNames.indexOf(LayerWriterTest.LONG), TarNames.parent(LayerWriterTest.LONG));
    assertEquals(expectedNames, names);
  }

  @Test
  void largeFilesCrossBufferBoundariesOnEveryPath() throws Exception {
    java.util.Random r = new java.util.Random(7);
    Path src = Files.createDirectory(dir.resolve("src"));
    byte[] big = new byte[3 * 256 * 1024 + 12345];
    r.nextBytes(big);
    Files.write(src.resolve("big"), big);
    Files.write(src.resolve("small"), new byte[] {1, 2, 3});
    byte[] mid = new byte[300_001];
    r.nextBytes(mid);
    Files.write(src.resolve("z-mid"), mid);
    Path blob = dir.resolve("layer.tar");
    LayerDigests d;
    try (var out = Files.newOutputStream(blob);
        LayerWriter w = LayerWriter.open(out, LayerWriterOptions.defaults())) {
      DirectoryWalker.writeTo(src, DirectoryWalker.Options.defaults(), w);
      d = w.finish();
    }
    assertEquals(dev.jbuild.layercache.model.Digest.sha256(Files.readAllBytes(blob)), d.diffId());
    // from the file (kernel copies), from a stream, and skipping content in the reader
    Path a = Files.createDirectory(dir.resolve("a"));
    Path b = Files.createDirectory(dir.resolve("b"));
    LayerApplier.apply(blob, a, ApplyMode.FLAT);
    LayerApplier.apply(Files.newInputStream(blob), b, ApplyMode.FLAT);
    for (Path root : List.of(a, b)) {
      assertArrayEquals(big, Files.readAllBytes(root.resolve("big")));
      assertArrayEquals(mid, Files.readAllBytes(root.resolve("z-mid")));
      assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(root.resolve("small")));
    }
    try (LayerReader reader = LayerReader.open(blob)) {
      assertEquals("big", reader.next().name());
      assertEquals(1, reader.content().read(new byte[1]));
      assertEquals("small", reader.next().name());
      assertEquals("z-mid", reader.next().name());
      assertArrayEquals(mid, reader.content().readAllBytes());
      assertEquals(null, reader.next());
    }
  }
}
