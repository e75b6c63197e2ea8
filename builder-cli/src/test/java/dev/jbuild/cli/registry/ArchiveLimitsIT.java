package dev.jbuild.cli.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.archive.DockerArchive;
import dev.jbuild.layercache.archive.TaggedImage;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.RandomImages;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 finding 8 (archives): {@code jbuild load} bounds every JSON document of an archive
 * before reading it. 40 extra JSON documents of 7 MB load in a 256 MiB heap (they went to memory
 * before: OutOfMemoryError); an oversized index.json or config is refused with a clear error and
 * the store gets no image.
 */
class ArchiveLimitsIT {
  @TempDir Path tmp;

  private Map<String, String> env() {
    var env = new HashMap<String, String>();
    env.put("JBUILD_REGISTRIES_CONFIG", tmp.resolve("none.json").toString());
    return env;
  }

  /** A docker archive of a small image, as jbuild writes it. */
  private Path dockerArchive() throws IOException {
    Path archive = tmp.resolve("app.tar");
    try (Store store = Store.open(tmp.resolve("src"))) {
      var d = RandomImages.small(store, "app:1", 8);
      try (OutputStream out = Files.newOutputStream(archive)) {
        DockerArchive.write(store, List.of(new TaggedImage("app:1", d)), out);
      }
    }
    return archive;
  }

  /** Copies {@code src} into a gzipped tar with {@code extra} entries first. */
  private static void rewrite(
      Path src, Path dst, Map<String, byte[]> extra, Map<String, byte[]> replace)
      throws IOException {
    try (InputStream in = Files.newInputStream(src);
        TarArchiveInputStream tin = new TarArchiveInputStream(in);
        OutputStream out =
            new GZIPOutputStream(Files.newOutputStream(dst), 1 << 16) {
              {
                def.setLevel(Deflater.BEST_SPEED);
              }
            };
        TarArchiveOutputStream tout = new TarArchiveOutputStream(out)) {
      tout.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (var e : extra.entrySet()) {
        put(tout, e.getKey(), e.getValue());
      }
      TarArchiveEntry e;
      while ((e = tin.getNextEntry()) != null) {
        if (replace.containsKey(e.getName())) {
          put(tout, e.getName(), replace.get(e.getName()));
          continue;
        }
        tout.putArchiveEntry(e);
        tin.transferTo(tout);
        tout.closeArchiveEntry();
      }
    }
  }

  private static void put(TarArchiveOutputStream tout, String name, byte[] data)
      throws IOException {
    var e = new TarArchiveEntry(name);
    e.setSize(data.length);
    tout.putArchiveEntry(e);
    tout.write(data);
    tout.closeArchiveEntry();
  }

  private static byte[] jsonString(int size) {
    byte[] b = new byte[size];
    Arrays.fill(b, (byte) 'a');
    b[0] = '"';
    b[size - 1] = '"';
    return b;
  }

  @Test
  void fortyDocumentsOfSevenMegabytesLoadInASmallHeap() throws Exception {
    Path src = dockerArchive();
    var extra = new java.util.LinkedHashMap<String, byte[]>();
    byte[] doc = jsonString(7_000_000);
    for (int i = 0; i < 40; i++) {
      extra.put("extra/doc" + i + ".json", doc);
    }
    Path archive = tmp.resolve("big.tar.gz");
    rewrite(src, archive, extra, Map.of());
    Path root = tmp.resolve("root");
    var load = Cli.withRoot(env(), root, "load", "-i", archive.toString());
    assertEquals(0, load.exit(), load.err());
    assertTrue(load.out().contains("app:1"), load.out());
    var images = Cli.withRoot(env(), root, "images");
    assertTrue(images.out().contains("app"), images.out());
  }

  @Test
  void oversizedIndexJsonIsRefusedByName() throws Exception {
    Path archive = tmp.resolve("oci-big-index.tar.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(archive));
        TarArchiveOutputStream tout = new TarArchiveOutputStream(out)) {
      put(
          tout,
          "oci-layout",
          "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
      put(tout, "index.json", jsonString(10 << 20));
    }
    Path root = tmp.resolve("root2");
    var load = Cli.withRoot(env(), root, "load", "-i", archive.toString());
    assertNotEquals(0, load.exit(), load.err());
    assertTrue(
        load.err().contains("index.json is " + (10 << 20) + " bytes; jbuild reads at most 4 MiB"),
        load.err());
    assertFalse(load.err().contains("\tat "), load.err());
    try (Store store = Store.open(root)) {
      assertTrue(store.images().list().isEmpty());
    }
  }

  @Test
  void oversizedConfigIsRefusedByName() throws Exception {
    Path src = dockerArchive();
    // the archive's manifest.json names its config: replace that config by a 40 MiB document
    String configName;
    try (InputStream in = Files.newInputStream(src);
        TarArchiveInputStream tin = new TarArchiveInputStream(in)) {
      String found = null;
      TarArchiveEntry e;
      while ((e = tin.getNextEntry()) != null) {
        if (e.getName().endsWith(".json") && !e.getName().equals("manifest.json")) {
          found = e.getName();
        }
      }
      configName = found;
    }
    Path archive = tmp.resolve("big-config.tar.gz");
    rewrite(src, archive, Map.of(), Map.of(configName, jsonString(40 << 20)));
    Path root = tmp.resolve("root3");
    var load = Cli.withRoot(env(), root, "load", "-i", archive.toString());
    assertNotEquals(0, load.exit(), load.err());
    assertTrue(
        load.err()
            .contains(configName + " is " + (40 << 20) + " bytes; jbuild reads at most 32 MiB"),
        load.err());
    try (Store store = Store.open(root)) {
      assertTrue(store.images().list().isEmpty());
    }
  }
}
