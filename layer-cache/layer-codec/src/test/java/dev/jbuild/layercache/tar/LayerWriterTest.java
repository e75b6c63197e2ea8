package dev.jbuild.layercache.tar;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.io.HashingOutputStream;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.testing.Proc;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerWriterTest {
  @TempDir Path dir;

  static final Instant T = Instant.ofEpochSecond(1_700_000_000L, 987_654_321);
  static final String LONG = "d/" + "x".repeat(150) + "/file-with-a-long-name-" + "y".repeat(60);

  /** Every entry type and header feature, in canonical order. */
  static List<TarEntry> sampleEntries() {
    byte[] cap = {1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    List<TarEntry> e = new ArrayList<>();
    e.add(TarEntry.directory("bin").withMtime(T));
    e.add(TarEntry.file("bin/ping", 5).withMode(04755).withXattr("security.capability", cap));
    e.add(TarEntry.hardlink("bin/ping2", "bin/ping").withMode(04755));
    e.add(TarEntry.symlink("bin/sh", "/bin/busybox"));
    e.add(TarEntry.directory("d").withMode(02775).withOwner(1000, 1000));
    e.add(TarEntry.file(LONG, 3).withOwner(3_000_000, 4_000_000));
    e.add(TarEntry.file("d/été", 0).withMtime(Instant.ofEpochSecond(-100)));
    e.add(TarEntry.directory("dev"));
    e.add(TarEntry.blockDevice("dev/blk", 8, 1));
    e.add(TarEntry.fifo("dev/fifo").withMode(0600));
    e.add(TarEntry.charDevice("dev/null", 1, 3));
    e.add(TarEntry.directory("tmp").withMode(01777));
    e.add(TarEntry.file("tmp/x", 1).withXattr("user.note", "a\nb=c".getBytes(UTF_8)));
    e.add(TarEntry.opaque("var", Instant.EPOCH));
    e.add(TarEntry.whiteout("var/gone", Instant.EPOCH));
    e.add(TarEntry.symlink("var/long-link", "/" + "t".repeat(120)));
    return e;
  }

  static byte[] content(TarEntry e) {
    byte[] b = new byte[(int) e.size()];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) ('a' + (e.name().length() + i) % 26);
    }
    return b;
  }

  static LayerDigests writeSample(java.io.OutputStream out, LayerWriterOptions options)
      throws IOException {
    try (LayerWriter w = LayerWriter.open(out, options)) {
      for (TarEntry e : sampleEntries()) {
        w.add(e, new ByteArrayInputStream(content(e)));
      }
      return w.finish();
    }
  }

  @Test
  void digestsDescribeTheBytesWritten() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LayerDigests d = writeSample(out, LayerWriterOptions.defaults());
    byte[] tar = out.toByteArray();
    assertEquals(Digest.sha256(tar), d.diffId());
    assertEquals(d.diffId(), d.blobDigest());
    assertEquals(tar.length, d.uncompressedSize());
    assertEquals(tar.length, d.blobSize());
    assertEquals(0, tar.length % 512);
  }

  @Test
  void reusesTheHashOfAFreshHashingSink() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    HashingOutputStream sink = new HashingOutputStream(bytes);
    LayerDigests d = writeSample(sink, LayerWriterOptions.defaults());
    assertEquals(sink.digest(), d.diffId());
    assertEquals(Digest.sha256(bytes.toByteArray()), d.diffId());

    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    HashingOutputStream gzSink = new HashingOutputStream(gz);
    LayerDigests g = writeSample(gzSink, LayerWriterOptions.of(Compression.GZIP));
    assertEquals(Digest.sha256(gz.toByteArray()), g.blobDigest());
    assertEquals(d.diffId(), g.diffId());
  }

  @Test
  void commonsCompressReadsEveryField() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeSample(out, LayerWriterOptions.defaults());
    List<TarEntry> expected = sampleEntries();
    int i = 0;
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
      TarArchiveEntry t;
      while ((t = in.getNextEntry()) != null) {
        TarEntry e = expected.get(i++);
        String name = e.type() == EntryType.DIR ? e.name() + "/" : e.name();
        assertEquals(name, t.getName());
        assertEquals(e.mode(), t.getMode(), name);
        assertEquals(e.uid(), t.getLongUserId(), name);
        assertEquals(e.gid(), t.getLongGroupId(), name);
        assertEquals("", t.getUserName());
        assertEquals(e.size(), t.getSize());
        assertEquals(
            e.mtime().getEpochSecond(), t.getLastModifiedTime().toInstant().getEpochSecond());
        assertEquals(e.linkName(), t.getLinkName());
        if (e.type().isDevice()) {
          assertEquals(e.devMajor(), t.getDevMajor());
          assertEquals(e.devMinor(), t.getDevMinor());
        }
        assertArrayEquals(content(e), in.readAllBytes());
      }
    }
    assertEquals(expected.size(), i);
  }

  @Test
  void gnuTarListsEveryEntry() throws Exception {
    Path tar = dir.resolve("layer.tar");
    try (var out = Files.newOutputStream(tar)) {
      writeSample(out, LayerWriterOptions.defaults());
    }
    String listing =
        Proc.run(null, "tar", "--numeric-owner", "--full-time", "-tvf", tar.toString());
    String[] lines = listing.strip().split("\n");
    assertEquals(sampleEntries().size(), lines.length, listing);
    assertTrue(lines[0].startsWith("drwxr-xr-x 0/0 "), lines[0]);
    assertTrue(lines[1].startsWith("-rwsr-xr-x 0/0 "), lines[1]);
    assertTrue(lines[2].contains("bin/ping2 link to bin/ping"), lines[2]);
    assertTrue(
        lines[3].startsWith("lrwxrwxrwx 0/0") && lines[3].endsWith("bin/sh -> /bin/busybox"));
    assertTrue(lines[4].startsWith("drwxrwsr-x 1000/1000 "), lines[4]);
    assertTrue(lines[5].startsWith("-rw-r--r-- 3000000/4000000 ") && lines[5].endsWith(LONG));
    assertTrue(lines[6].endsWith("d/été"), lines[6]);
    assertTrue(lines[8].matches("brw-rw---- 0/0 +8,1 .*dev/blk"), lines[8]);
    assertTrue(lines[9].startsWith("prw------- "), lines[9]);
    assertTrue(lines[10].matches("crw-rw-rw- 0/0 +1,3 .*dev/null"), lines[10]);
    assertTrue(lines[11].startsWith("drwxrwxrwt "), lines[11]);
    assertTrue(lines[13].startsWith("---------- 0/0 ") && lines[13].endsWith("var/.wh..wh..opq"));
    assertTrue(lines[15].endsWith("var/long-link -> /" + "t".repeat(120)), lines[15]);
    String xattrs =
        Proc.run(null, "tar", "--xattrs", "--xattrs-include=*", "-tvvf", tar.toString());
    assertTrue(xattrs.contains("security.capability"), xattrs);
    assertTrue(xattrs.contains("user.note"), xattrs);
  }

  @Test
  void outputIsTheSameForEveryCompressionThreadCount() throws Exception {
    for (Compression c : List.of(Compression.GZIP, Compression.ZSTD)) {
      ByteArrayOutputStream one = new ByteArrayOutputStream();
      ByteArrayOutputStream four = new ByteArrayOutputStream();
      LayerDigests a = writeBig(one, LayerWriterOptions.of(c).withThreads(1));
      LayerDigests b = writeBig(four, LayerWriterOptions.of(c).withThreads(4));
      assertArrayEquals(one.toByteArray(), four.toByteArray(), c.toString());
      assertEquals(a, b);
      ByteArrayOutputStream plain = new ByteArrayOutputStream();
      LayerDigests p = writeBig(plain, LayerWriterOptions.defaults());
      assertEquals(p.diffId(), a.diffId());
      try (InputStream in =
          Compression.decompressing(new ByteArrayInputStream(one.toByteArray()))) {
        assertArrayEquals(plain.toByteArray(), in.readAllBytes(), c.toString());
      }
      Path f = dir.resolve("layer" + c.mediaTypeSuffix());
      Files.write(f, one.toByteArray());
      Proc.run(null, c == Compression.GZIP ? "gzip" : "zstd", "-t", f.toString());
    }
  }

  /** About 3 MiB of mixed compressible and random content in several files. */
  static LayerDigests writeBig(java.io.OutputStream out, LayerWriterOptions options)
      throws IOException {
    java.util.Random r = new java.util.Random(42);
    try (LayerWriter w = LayerWriter.open(out, options)) {
      for (int f = 0; f < 6; f++) {
        byte[] data = new byte[300_000 + f * 100_003];
        for (int i = 0; i < data.length; i++) {
          data[i] = (byte) (f % 2 == 0 ? r.nextInt(256) : "abcdefgh".charAt(r.nextInt(8)));
        }
        w.add(TarEntry.file("f" + f, data.length), new ByteArrayInputStream(data));
      }
      return w.finish();
    }
  }

  @Test
  void rejectsEntriesOutOfCanonicalOrder() throws Exception {
    try (LayerWriter w =
        LayerWriter.open(new ByteArrayOutputStream(), LayerWriterOptions.defaults())) {
      w.add(TarEntry.directory("a"));
      w.add(TarEntry.file("a/b", 0));
      w.add(TarEntry.file("a-c", 0));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> w.add(TarEntry.file("a/z", 0)));
      assertEquals(TarErrors.outOfOrder("a/z", "a-c"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> w.add(TarEntry.file("a-c", 0)));
    }
  }

  @Test
  void contentMustMatchTheDeclaredSize() throws Exception {
    try (LayerWriter w =
        LayerWriter.open(new ByteArrayOutputStream(), LayerWriterOptions.defaults())) {
      IOException shortE =
          assertThrows(
              IOException.class,
              () -> w.add(TarEntry.file("a", 10), new ByteArrayInputStream(new byte[4])));
      assertEquals(TarErrors.contentTooShort("a", 10, 4), shortE.getMessage());
    }
    try (LayerWriter w =
        LayerWriter.open(new ByteArrayOutputStream(), LayerWriterOptions.defaults())) {
      IOException longE =
          assertThrows(
              IOException.class,
              () -> w.add(TarEntry.file("b", 2), new ByteArrayInputStream(new byte[4])));
      assertEquals(TarErrors.contentTooLong("b", 2), longE.getMessage());
    }
    Path f = dir.resolve("f");
    Files.write(f, new byte[100]);
    try (LayerWriter w =
        LayerWriter.open(new ByteArrayOutputStream(), LayerWriterOptions.defaults())) {
      IOException e = assertThrows(IOException.class, () -> w.addFile(TarEntry.file("f", 50), f));
      assertTrue(e.getMessage().startsWith(TarErrors.contentTooLong("f", 50)), e.getMessage());
    }
  }

  @Test
  void mtimesAreClampedToSourceDateEpoch() throws Exception {
    Instant epoch = Instant.ofEpochSecond(1_000_000_000L);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (LayerWriter w =
        LayerWriter.open(out, LayerWriterOptions.defaults().withSourceDateEpoch(epoch))) {
      w.add(TarEntry.directory("new").withMtime(T));
      w.add(TarEntry.directory("old").withMtime(Instant.ofEpochSecond(5)));
      w.finish();
    }
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(new ByteArrayInputStream(out.toByteArray()))) {
      assertEquals(epoch, in.getNextEntry().getLastModifiedTime().toInstant());
      assertEquals(Instant.ofEpochSecond(5), in.getNextEntry().getLastModifiedTime().toInstant());
    }
    assertEquals(epoch, LayerWriterOptions.parseSourceDateEpoch("1000000000"));
    assertThrows(
        IllegalArgumentException.class, () -> LayerWriterOptions.parseSourceDateEpoch("x"));
  }

  /**
   * Reproducibility: the sample layer has these exact digests, whatever the machine, thread count
   * or JDK. A change here changes every image jbuild produces: only on purpose.
   */
  @Test
  void digestsAreExactlyReproducible() throws Exception {
    assertTrue(
        dev.jbuild.layercache.compress.ParallelGzipOutputStream.usesLibDeflate(),
        "libdeflate0 is installed by .ci/setup");
    // gzip: libdeflate 1.14 members (the zlib scheme's digests: ParallelGzipTest)
    Map<Compression, String> expected =
        Map.of(
            Compression.NONE,
                "sha256:d699662e9c683b4e33adc25edb7ac3455b95f46663bdf14f39c22626dd8f7ae4",
            Compression.GZIP,
                "sha256:2e930e7cf94a86551afef042ef04cb91d1aae247d81681740dca017d5346e704",
            Compression.ZSTD,
                "sha256:43654eaa3529879966acabfdc46ec2aaee461509448e9726a39a1b551ec5ac05");
    Map<Compression, String> actual = new java.util.TreeMap<>();
    for (Compression c : List.of(Compression.NONE, Compression.GZIP, Compression.ZSTD)) {
      LayerDigests d = writeSample(new ByteArrayOutputStream(), LayerWriterOptions.of(c));
      assertEquals(expected.get(Compression.NONE), d.diffId().toString());
      actual.put(c, d.blobDigest().toString());
    }
    assertEquals(new java.util.TreeMap<>(expected), actual);
    assertNotEquals(
        writeSample(new ByteArrayOutputStream(), LayerWriterOptions.defaults()).diffId(),
        writeSample(
                new ByteArrayOutputStream(),
                LayerWriterOptions.defaults().withSourceDateEpoch(Instant.ofEpochSecond(0)))
            .diffId());
  }
}
