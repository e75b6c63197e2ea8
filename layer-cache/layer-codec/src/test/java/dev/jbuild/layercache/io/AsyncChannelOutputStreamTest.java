package dev.jbuild.layercache.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AsyncChannelOutputStreamTest {
  @TempDir Path dir;

  private byte[] roundTrip(byte[] data, int chunk) throws IOException {
    Path f = dir.resolve("f" + data.length + "-" + chunk);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        AsyncChannelOutputStream out = new AsyncChannelOutputStream(ch, 1000, 3)) {
      for (int off = 0; off < data.length; off += chunk) {
        int n = Math.min(chunk, data.length - off);
        if (n == 1) {
          out.write(data[off]);
        } else {
          out.write(data, off, n);
        }
      }
      out.flush();
      assertEquals(data.length, ch.size(), "flush writes everything");
    }
    return Files.readAllBytes(f);
  }

  @Test
  void writesEveryByteInOrderWhateverTheChunking() throws IOException {
    byte[] data = new byte[123_457];
    new Random(1).nextBytes(data);
    for (int chunk : new int[] {1, 7, 999, 1000, 1001, 4096, 200_000}) {
      assertArrayEquals(data, roundTrip(data, chunk), "chunk " + chunk);
    }
    assertArrayEquals(new byte[0], roundTrip(new byte[0], 10));
    assertArrayEquals(new byte[] {5}, roundTrip(new byte[] {5}, 10));
  }

  @Test
  void randomWritesAndFlushesKeepEveryByte() throws IOException {
    Random r = new Random(42);
    for (int round = 0; round < 20; round++) {
      Path f = dir.resolve("r" + round);
      java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
      try (FileChannel ch =
              FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          AsyncChannelOutputStream out =
              new AsyncChannelOutputStream(ch, 512 + r.nextInt(4096), 2 + r.nextInt(4))) {
        for (int op = 0; op < 200; op++) {
          byte[] chunk = new byte[r.nextInt(9000)];
          r.nextBytes(chunk);
          out.write(chunk, 0, chunk.length);
          expected.write(chunk);
          if (r.nextInt(10) == 0) {
            out.flush();
            assertEquals(expected.size(), ch.size());
          }
        }
      }
      assertArrayEquals(expected.toByteArray(), Files.readAllBytes(f), "round " + round);
    }
  }

  @Test
  void aWriteErrorSurfacesAndAbortStopsTheThread() throws IOException {
    Path f = dir.resolve("ro");
    Files.createFile(f);
    FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
    AsyncChannelOutputStream out = new AsyncChannelOutputStream(ch, 1000, 2);
    byte[] data = new byte[10_000];
    assertThrows(
        IOException.class,
        () -> {
          for (int i = 0; i < 100; i++) {
            out.write(data);
          }
          out.flush();
        });
    out.abort();
    ch.close();
    assertThrows(IOException.class, () -> out.write(new byte[1], 0, 1));
  }
}
