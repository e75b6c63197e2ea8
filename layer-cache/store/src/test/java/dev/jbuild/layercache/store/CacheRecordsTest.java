package dev.jbuild.layercache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.model.History;
import dev.jbuild.layercache.store.fixtures.SampleImages;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheRecordsTest {
  @TempDir Path dir;

  static CacheRecord record(SampleImages.Layer l) {
    return new CacheRecord(
        l == null ? List.of() : List.of(new CacheRecord.Layer(l.blob(), l.diffId())),
        Json.parseObject("{\"Env\":[\"A=1\"]}"),
        History.of(SampleImages.T0, "RUN x", null, l == null),
        Instant.parse("2025-02-03T04:05:06.789Z"),
        Map.of("argv", "[\"sh\",\"-c\",\"x\"]"));
  }

  @Test
  void roundTripAcrossStoreInstances() throws IOException {
    try (Store a = Store.open(dir);
        Store b = Store.open(dir)) {
      SampleImages.Layer l = SampleImages.layer(a, Compression.GZIP, Map.of("f", "x"));
      CacheRecord r = record(l);
      assertTrue(b.cache().get("k1").isEmpty());
      a.cache().put("k1", r);
      assertEquals(r, b.cache().get("k1").orElseThrow(), "disk is the truth for the other");
      assertEquals(r, a.cache().get("k1").orElseThrow());
      a.cache().put("meta", record(null));
      assertEquals(List.of(), b.cache().get("meta").orElseThrow().layers());
      assertEquals(2, b.cache().keys().size());
    }
  }

  @Test
  void recordWhoseBlobIsGoneIsAbsent() throws IOException {
    try (Store s = Store.open(dir)) {
      SampleImages.Layer l = SampleImages.layer(s, Compression.NONE, Map.of("f", "y"));
      s.cache().put("k", record(l));
      assertTrue(s.cache().get("k").isPresent());
      s.blobs().delete(l.blob().digest());
      assertTrue(s.cache().get("k").isEmpty());
    }
  }

  @Test
  void keysAreValidated() throws IOException {
    try (Store s = Store.open(dir)) {
      for (String bad : List.of("", "../x", "a/b", ".hidden", "x".repeat(201))) {
        assertThrows(IllegalArgumentException.class, () -> s.cache().get(bad), bad);
      }
      s.cache().put("sha256:" + "a".repeat(64), record(null));
      assertTrue(s.cache().get("sha256:" + "a".repeat(64)).isPresent());
    }
  }
}
