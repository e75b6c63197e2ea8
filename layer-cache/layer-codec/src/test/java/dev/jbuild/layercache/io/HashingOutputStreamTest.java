package dev.jbuild.layercache.io;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbuild.layercache.model.Digest;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class HashingOutputStreamTest {
  @Test
  void hashesAndCountsWhatPassesThrough() throws Exception {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (HashingOutputStream out = new HashingOutputStream(sink)) {
      out.write("hel".getBytes(UTF_8));
      assertEquals(Digest.sha256("hel".getBytes(UTF_8)), out.digest());
      out.write('l');
      out.write("xxoxx".getBytes(UTF_8), 2, 1);
      assertEquals(5, out.size());
      assertEquals(
          Digest.parse("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
          out.digest());
    }
    assertArrayEquals("hello".getBytes(UTF_8), sink.toByteArray());
  }
}
