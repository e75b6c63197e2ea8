package dev.jbuild.layercache.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.model.NativeSha256;
import dev.jbuild.layercache.tar.LayerDigests;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import dev.jbuild.layercache.tar.TarEntry;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A layer resumed from a checkpoint of an earlier one is byte for byte a fresh write. */
class LayerResumeTest {
  @TempDir Path dir;

  private static List<TarEntry> entries() {
    List<TarEntry> out = new ArrayList<>();
    out.add(TarEntry.directory("a").withMtime(Instant.ofEpochSecond(1000)));
    for (int i = 0; i < 40; i++) {
      out.add(
          TarEntry.file(String.format("a/f%02d", i), 1000 + i * 37)
              .withMtime(Instant.ofEpochSecond(2000 + i)));
    }
    return out;
  }

  private static byte[] content(TarEntry e) {
    byte[] b = new byte[(int) e.size()];
    new Random(e.name().hashCode()).nextBytes(b);
    return b;
  }

  @Test
  void resumingAtEveryCheckpointGivesTheSameBlob() throws Exception {
    assertTrue(NativeSha256.available(), "libcrypto (libssl3) is installed by .ci/setup");
    List<TarEntry> entries = entries();
    try (Store store = Store.open(dir.resolve("store"))) {
      List<LayerWriter.Checkpoint> checkpoints = new ArrayList<>();
      BlobInfo original;
      try (BlobWriter blob = store.blobs().newWriter();
          LayerWriter w = LayerWriter.open(blob, LayerWriterOptions.defaults())) {
        for (TarEntry e : entries) {
          w.add(e, new ByteArrayInputStream(content(e)));
          checkpoints.add(w.checkpoint().orElseThrow());
        }
        LayerDigests d = w.finish();
        original = blob.commit(d.blobDigest());
      }
      byte[] bytes = Files.readAllBytes(store.blobs().path(original.digest()));
      for (int k : new int[] {0, 1, 7, 20, entries.size() - 1}) {
        LayerWriter.Checkpoint c = checkpoints.get(k);
        // a store without the blob, so that the resumed file is installed and can be compared
        try (Store other = Store.open(dir.resolve("other-" + k));
            BlobWriter blob = other.blobs().newWriter()) {
          assertTrue(
              blob.startFrom(store.blobs().path(original.digest()), c.offset(), c.hashState()));
          try (LayerWriter w =
              LayerWriter.resume(blob, LayerWriterOptions.defaults(), entries.get(k).name())) {
            for (TarEntry e : entries.subList(k + 1, entries.size())) {
              w.add(e, new ByteArrayInputStream(content(e)));
            }
            LayerDigests d = w.finish();
            assertEquals(original.digest(), d.diffId(), "resumed after entry " + k);
            assertEquals(original.size(), d.uncompressedSize());
          }
          assertEquals(original.digest(), blob.commit(original.digest()).digest());
          assertArrayEquals(
              bytes, Files.readAllBytes(other.blobs().path(original.digest())), "resumed " + k);
        }
      }
      assertArrayEquals(bytes, Files.readAllBytes(store.blobs().path(original.digest())));
    }
  }

  /** A large prefix (several copy calls) is copied exactly, checked by re-reading the blob. */
  @Test
  void aLargePrefixIsCopiedInTheBackgroundExactly() throws Exception {
    List<TarEntry> entries =
        List.of(
            TarEntry.file("big1", 40 << 20),
            TarEntry.file("big2", 30 << 20),
            TarEntry.file("small", 12345));
    try (Store store = Store.open(dir.resolve("store"));
        Store other = Store.open(dir.resolve("other"))) {
      LayerWriter.Checkpoint c;
      BlobInfo original;
      try (BlobWriter blob = store.blobs().newWriter();
          LayerWriter w = LayerWriter.open(blob, LayerWriterOptions.defaults())) {
        w.add(entries.get(0), new ByteArrayInputStream(content(entries.get(0))));
        w.add(entries.get(1), new ByteArrayInputStream(content(entries.get(1))));
        c = w.checkpoint().orElseThrow();
        w.add(entries.get(2), new ByteArrayInputStream(content(entries.get(2))));
        original = blob.commit(w.finish().blobDigest());
      }
      assertTrue(c.offset() > 64 << 20);
      try (BlobWriter blob = other.blobs().newWriter()) {
        assertTrue(
            blob.startFrom(store.blobs().path(original.digest()), c.offset(), c.hashState()));
        try (LayerWriter w = LayerWriter.resume(blob, LayerWriterOptions.defaults(), "big2")) {
          w.add(entries.get(2), new ByteArrayInputStream(content(entries.get(2))));
          w.finish();
        }
        assertEquals(original.digest(), blob.commit(original.digest()).digest());
      }
      // the file itself, re-read and hashed
      other.blobs().verify(original.digest());
    }
  }
}
