package dev.jbuild.layercache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.store.fixtures.SampleImages;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Checks a store's on-disk invariants after crashes and concurrent use. */
final class StoreChecker {
  private StoreChecker() {}

  static void check(Store s) throws IOException {
    Path root = s.root();
    Json.parseObject(Files.readAllBytes(root.resolve("oci-layout")));
    ImageIndex index = ImageIndex.parse(Files.readAllBytes(root.resolve("index.json")));
    // every blob is named by its content
    for (Digest d : s.blobs().list()) {
      s.blobs().verify(d);
    }
    // every index entry is a whole image
    for (Descriptor d : index.manifests()) {
      Image img = s.images().image(d);
      assertEquals(d.size(), s.blobs().size(d.digest()));
      assertTrue(s.blobs().has(img.id()), "config of " + d.digest());
      assertEquals(img.manifest().layers().size(), img.config().diffIds().size());
      for (Descriptor l : img.manifest().layers()) {
        assertTrue(s.blobs().has(l.digest()), "layer " + l.digest() + " of " + d.refName());
        assertEquals(l.size(), s.blobs().size(l.digest()));
      }
    }
    // every cache record file parses
    for (String key : s.cache().keys()) {
      assertNotNull(s.cache().readFile(key), "cache record " + key + " parses");
    }
    // every layer directory has its diffid, and its tree equals a fresh unpack of the blob
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve("l"))) {
      for (Path p : ds) {
        if (Files.isDirectory(p)) {
          assertTrue(
              Files.isRegularFile(root.resolve("l/" + p.getFileName() + ".diffid")),
              "layer directory " + p + " has a .diffid");
        }
      }
    }
    for (Digest diffId : s.layers().listUnpacked()) {
      Path tree = s.layers().ifUnpacked(diffId).orElseThrow();
      Descriptor blob = s.layers().blobFor(diffId).orElse(null);
      if (blob == null) {
        continue; // blob pruned while the layer stays pinned: nothing to compare with
      }
      Path fresh = s.newTempDir("check-");
      new SampleImages.SimpleUnpacker()
          .unpack(
              s.blobs().path(blob.digest()),
              blob.digest().equals(diffId)
                  ? dev.jbuild.layercache.model.MediaTypes.LayerCompression.NONE
                  : dev.jbuild.layercache.model.MediaTypes.layerCompression(blob.mediaType()),
              fresh);
      assertEquals(listing(fresh), listing(tree), "layer " + diffId + " is complete");
    }
  }

  /** Relative path -> size (files) or -1 (directories). */
  static TreeMap<String, Long> listing(Path dir) throws IOException {
    TreeMap<String, Long> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        out.put(dir.relativize(p).toString(), Files.isDirectory(p) ? -1L : Files.size(p));
      }
    }
    return out;
  }

  /** Runs the torture workload in a child JVM. */
  static Process spawn(Path root, String name, int iterations, long seed, int pruneEvery)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-Xmx128m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(StoreTorture.class.getName());
    cmd.add(root.toString());
    cmd.add(name);
    cmd.add(Integer.toString(iterations));
    cmd.add(Long.toString(seed));
    cmd.add(Integer.toString(pruneEvery));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  static void failWithOutput(Process p, String why) throws IOException {
    fail(why + ":\n" + new String(p.getInputStream().readAllBytes()));
  }
}
