package dev.jbuild.layercache.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.fixtures.SampleImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
  @TempDir Path dir;

  @Test
  void openCreatesAnOciLayoutAndReopens() throws IOException {
    try (Store s = Store.open(dir.resolve("root"))) {
      Path root = s.root();
      assertEquals(
          "{\"imageLayoutVersion\":\"1.0.0\"}", Files.readString(root.resolve("oci-layout")));
      ImageIndex idx = ImageIndex.parse(Files.readAllBytes(root.resolve("index.json")));
      assertEquals(MediaTypes.OCI_INDEX, idx.mediaType());
      assertTrue(idx.manifests().isEmpty());
      assertTrue(Files.isDirectory(root.resolve("blobs/sha256")));
    }
    try (Store s = Store.open(dir.resolve("root"))) {
      assertTrue(s.images().list().isEmpty());
    }
  }

  @Test
  void blobsAreContentAddressedVerifiedAndReadOnly() throws IOException {
    try (Store s = Store.open(dir)) {
      byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
      BlobInfo info = s.blobs().put(data);
      assertEquals(Digest.sha256(data), info.digest());
      assertEquals(5, info.size());
      assertTrue(s.blobs().has(info.digest()));
      assertEquals(5, s.blobs().size(info.digest()));
      assertArrayEquals(data, s.blobs().read(info.digest()));
      try (var in = s.blobs().open(info.digest())) {
        assertArrayEquals(data, in.readAllBytes());
      }
      assertEquals(
          "r--r--r--",
          PosixFilePermissions.toString(
              Files.getPosixFilePermissions(s.blobs().path(info.digest()))));
      assertEquals(info, s.blobs().put(data), "idempotent");
      assertEquals(1, s.blobs().list().size());
      Digest absent = Digest.sha256(new byte[] {9});
      NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> s.blobs().read(absent));
      assertTrue(e.getMessage().contains(absent.toString()), e.getMessage());
    }
  }

  @Test
  void writerDigestsStreamsAndRejectsMismatches() throws IOException {
    try (Store s = Store.open(dir)) {
      BlobWriter w = s.blobs().newWriter();
      byte[] chunk = new byte[300_000];
      for (int i = 0; i < chunk.length; i++) {
        chunk[i] = (byte) i;
      }
      w.write(chunk);
      w.write(7);
      Digest expected = w.digest();
      assertEquals(300_001, w.size());
      BlobInfo info = w.commit();
      w.close();
      assertEquals(expected, info.digest());
      s.blobs().verify(info.digest());

      Digest wrong = Digest.sha256(new byte[] {1});
      try (BlobWriter w2 = s.blobs().newWriter()) {
        w2.write(new byte[] {2});
        DigestMismatchException e =
            assertThrows(DigestMismatchException.class, () -> w2.commit(wrong));
        assertEquals(wrong, e.expected());
      }
      assertFalse(s.blobs().has(wrong));
      assertFalse(s.blobs().has(Digest.sha256(new byte[] {2})));

      try (BlobWriter w3 = s.blobs().newWriter()) {
        w3.write(new byte[] {3});
      } // closed without commit: discarded
      assertFalse(s.blobs().has(Digest.sha256(new byte[] {3})));
      assertEquals(1, s.blobs().list().size());
      try (Stream<Path> files = Files.walk(s.root().resolve("tmp"))) {
        assertTrue(files.noneMatch(p -> p.getFileName().toString().startsWith("blob-")));
      }
    }
  }

  @Test
  void corruptBlobIsDetectedOnRead() throws IOException {
    try (Store s = Store.open(dir)) {
      BlobInfo info = s.blobs().put("{}".getBytes(StandardCharsets.UTF_8));
      Path p = s.blobs().path(info.digest());
      p.toFile().setWritable(true);
      Files.writeString(p, "{ }");
      DigestMismatchException e =
          assertThrows(DigestMismatchException.class, () -> s.blobs().read(info.digest()));
      assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
      assertThrows(DigestMismatchException.class, () -> s.blobs().verify(info.digest()));
    }
  }

  @Test
  void staleStagingOfDeadProcessesIsSweptOnOpen() throws IOException {
    Path tmp = dir.resolve("tmp");
    Files.createDirectories(tmp.resolve("12345-dead/sub"));
    Files.writeString(tmp.resolve("12345-dead/.lock"), "");
    Files.writeString(tmp.resolve("12345-dead/sub/blob-x.tmp"), "partial");
    try (Store s = Store.open(dir)) {
      assertFalse(Files.exists(tmp.resolve("12345-dead")));
      Path mine = s.newTempDir("x");
      try (Store other = Store.open(dir)) {
        assertTrue(Files.exists(mine), "a live staging directory survives another open");
        assertTrue(other.images().list().isEmpty());
      }
    }
  }

  @Test
  void indexJsonStaysValidJson() throws IOException {
    try (Store s = Store.open(dir)) {
      s.images().tag("app:1", SampleImages.image(s, "a"));
      var index = Json.parseObject(Files.readAllBytes(s.root().resolve("index.json")));
      assertEquals("application/vnd.oci.image.index.v1+json", index.string("mediaType"));
      var manifests = index.array("manifests").elements();
      assertEquals(1, manifests.size(), index.toString());
      var m = (dev.jbuild.layercache.json.JsonObject) manifests.getFirst();
      assertEquals(
          "app:1",
          m.object("annotations").string("org.opencontainers.image.ref.name"),
          m.toString());
      assertTrue(m.string("digest").startsWith("sha256:"), m.toString());
    }
  }

  @Test
  void unusableRootIsAClearError() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    IOException e = assertThrows(IOException.class, () -> Store.open(file.resolve("store")));
    assertTrue(
        e.getMessage().startsWith("cannot open the store at " + file.resolve("store")),
        e.getMessage());
  }
}
