package dev.jbuild.layercache.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jbuild.layercache.testing.HostileTars;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Hostile headers: every size and number the reader meets is bounded (issue 10, finding 8). The
 * {@link HostileTars} writer is in this module's test jar, shared with the build ITs.
 */
class ReaderBoundsTest {
  private static TarEntry readOne(byte[] tar) throws IOException {
    try (LayerReader r = LayerReader.open(new ByteArrayInputStream(tar))) {
      TarEntry e = r.next();
      while (r.next() != null) {}
      return e;
    }
  }

  private static String failure(byte[] tar) {
    return assertThrows(LayerFormatException.class, () -> readOne(tar)).getMessage();
  }

  @Test
  void paxMtimeWithAHugeExponentIsRefusedAtOnce() throws IOException {
    for (String v : new String[] {"1e99999999", "1e9999999", "1E5", "0x10", "1.", ".5", "--1"}) {
      byte[] tar = HostileTars.inMemory().pax('x', "mtime", v).file("f", "x").end().bytes();
      assertEquals(TarErrors.badHeader("f", "invalid PAX mtime"), failure(tar), v);
    }
  }

  @Test
  void paxNumbersHaveABoundedLength() throws IOException {
    String digits = "1".repeat(LayerReader.MAX_PAX_NUMBER + 1);
    byte[] mtime = HostileTars.inMemory().pax('x', "mtime", digits).file("f", "x").end().bytes();
    assertEquals(TarErrors.badHeader("f", "invalid PAX mtime"), failure(mtime));
    byte[] uid =
        HostileTars.inMemory()
            .pax('x', "uid", "0".repeat(100_000) + "1")
            .file("f", "x")
            .end()
            .bytes();
    assertEquals(TarErrors.badHeader("f", "invalid PAX uid"), failure(uid));
  }

  @Test
  void paxMtimeKeepsFractionsAndNegativeTimes() throws IOException {
    byte[] tar =
        HostileTars.inMemory()
            .pax('x', "mtime", "1700000000.1234567891")
            .file("f", "x")
            .end()
            .bytes();
    assertEquals(Instant.ofEpochSecond(1700000000L, 123456789), readOne(tar).mtime());
    byte[] neg = HostileTars.inMemory().pax('x', "mtime", "-1.25").file("f", "x").end().bytes();
    assertEquals(Instant.ofEpochSecond(-2, 750_000_000), readOne(neg).mtime());
  }

  @Test
  void aPaxHeaderOverOneMebibyteIsRefused() throws IOException {
    for (char type : new char[] {'x', 'g'}) {
      byte[] tar =
          HostileTars.inMemory()
              .bigPax(type, "comment", LayerReader.MAX_META)
              .file("f", "x")
              .end()
              .bytes();
      String m = failure(tar);
      assertEquals(true, m.contains("is over the limit of " + LayerReader.MAX_META), m);
    }
  }

  @Test
  void manyGlobalHeadersCannotGrowMemory() throws Exception {
    // 36 global headers of 1000 KiB each with distinct keys (the audit used 8 MB each), streamed
    // through a pipe: the reader stops at the second one, before the writer has made the rest.
    PipedInputStream in = new PipedInputStream(1 << 16);
    PipedOutputStream out = new PipedOutputStream(in);
    AtomicReference<Throwable> writerError = new AtomicReference<>();
    Thread writer =
        Thread.ofPlatform()
            .start(
                () -> {
                  try (out) {
                    HostileTars t = new HostileTars(out);
                    t.file("first", "x");
                    for (int i = 0; i < 36; i++) {
                      t.bigPax('g', "k" + i, 1000 * 1024).file("f" + i, "x");
                    }
                    t.file("last", "y").end();
                  } catch (IOException e) {
                    writerError.set(e); // the reader closed the pipe: expected
                  }
                });
    String m;
    try (InputStream s = in) {
      m = assertThrows(LayerFormatException.class, () -> readAll(s)).getMessage();
    }
    writer.join();
    assertEquals(
        TarErrors.badHeader(
            "PaxHeaders/big",
            "global PAX records of more than " + LayerReader.MAX_META_TOTAL + " bytes"),
        m);
  }

  @Test
  void localHeadersBeforeOneEntryAreBoundedTogether() throws IOException {
    HostileTars t = HostileTars.inMemory();
    for (int i = 0; i < 3; i++) {
      t.bigPax('x', "k" + i, 600 * 1024);
    }
    String m = failure(t.file("f", "x").end().bytes());
    assertEquals(
        TarErrors.badHeader(
            "PaxHeaders/big",
            "extended headers of more than "
                + LayerReader.MAX_META_TOTAL
                + " bytes before one entry"),
        m);
  }

  private static void readAll(InputStream s) throws IOException {
    try (LayerReader r = LayerReader.open(s)) {
      while (r.next() != null) {}
    }
  }
}
