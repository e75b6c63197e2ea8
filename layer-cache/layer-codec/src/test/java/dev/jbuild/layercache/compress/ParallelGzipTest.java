package dev.jbuild.layercache.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * Blocks that do not compress (stored, a speed matter the codec bench measures) and blocks that do
 * (deflated) make one valid gzip stream, the same whatever the thread count.
 */
class ParallelGzipTest {
  private static byte[] gzip(byte[] data, int threads) throws Exception {
    return gzip(data, threads, ParallelGzipOutputStream.usesLibDeflate());
  }

  private static byte[] gzip(byte[] data, int threads, boolean libdeflate) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, 6, threads, libdeflate)) {
      gz.write(data, 0, data.length);
    }
    return out.toByteArray();
  }

  private static byte[] gunzip(byte[] gz) throws Exception {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  @Test
  void mixedRandomAndTextRoundTripAndOnlyTheTextShrinks() throws Exception {
    byte[] random = new byte[1 << 20];
    new Random(7).nextBytes(random);
    byte[] text =
        "the quick brown fox jumps over the lazy dog\n"
            .repeat(24_000)
            .getBytes(StandardCharsets.UTF_8);
    byte[] both = new byte[random.length + text.length];
    System.arraycopy(random, 0, both, 0, random.length);
    System.arraycopy(text, 0, both, random.length, text.length);

    byte[] gz = gzip(both, 2);
    assertArrayEquals(both, gunzip(gz));
    assertArrayEquals(gz, gzip(both, 1), "the same bytes whatever the thread count");
    // random data: a few bytes per 128 KiB block more than the input
    byte[] r = gzip(random, 2);
    assertTrue(r.length < random.length + random.length / 1000, "stored: " + r.length);
    // text still deflates
    byte[] t = gzip(text, 2);
    assertTrue(t.length < text.length / 50, "deflated: " + t.length);
    assertTrue(gz.length < r.length + t.length + 1024, "mixed: " + gz.length);
  }

  /** Both schemes (zlib pigz-style, libdeflate members) round-trip and ignore the thread count. */
  @Test
  void bothSchemesAreValidGzipWhateverTheThreads() throws Exception {
    assertTrue(ParallelGzipOutputStream.usesLibDeflate(), "libdeflate0 is installed by .ci/setup");
    byte[] data = new byte[3 * ParallelGzipOutputStream.MEMBER_BLOCK + 12345];
    Random r = new Random(11);
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i % 7 == 0 ? r.nextInt(256) : 'a' + (i / 4096) % 26);
    }
    for (boolean libdeflate : new boolean[] {false, true}) {
      byte[] one = gzip(data, 1, libdeflate);
      assertArrayEquals(one, gzip(data, 2, libdeflate), "libdeflate=" + libdeflate);
      assertArrayEquals(data, gunzip(one), "libdeflate=" + libdeflate);
      assertTrue(one.length < data.length / 2, "compressed: " + one.length);
      assertArrayEquals(new byte[0], gunzip(gzip(new byte[0], 2, libdeflate)), "empty input");
    }
    // libdeflate: one gzip member per MiB; zlib: one member for everything
    for (boolean libdeflate : new boolean[] {false, true}) {
      try (var first =
          org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream.builder()
              .setInputStream(new ByteArrayInputStream(gzip(data, 2, libdeflate)))
              .setDecompressConcatenated(false)
              .get()) {
        assertEquals(
            libdeflate ? ParallelGzipOutputStream.MEMBER_BLOCK : data.length,
            first.readAllBytes().length);
      }
    }
  }
}
