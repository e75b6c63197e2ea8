package dev.jbuild.layercache.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AtomicFiles} under SIGKILL: a writer JVM killed in the middle of a write, or at a random
 * instant of a loop of writes, leaves the old or the new content under the name, and its temp file
 * is removed by {@link AtomicFiles#sweep}.
 */
class AtomicFilesCrashIT {
  @TempDir Path dir;

  static final int SIZE = 200_000;

  static byte[] content(int generation) {
    byte[] b = new byte[SIZE];
    Arrays.fill(b, (byte) ('a' + generation % 26));
    return b;
  }

  /** The worker: {@code TARGET hang} writes half and waits; {@code TARGET loop} writes forever. */
  public static void main(String[] args) throws Exception {
    Path target = Path.of(args[0]);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    if (args[1].equals("hang")) {
      AtomicFiles.write(
          target,
          o -> {
            o.write(content(1), 0, SIZE / 2);
            o.flush();
            out.println("WRITING");
            try {
              Thread.sleep(600_000);
            } catch (InterruptedException e) {
              throw new IOException(e);
            }
          });
      return;
    }
    for (int i = 1; ; i++) {
      AtomicFiles.write(target, content(i));
      if (i == 1) {
        out.println("WRITING");
      }
    }
  }

  private Process spawn(Path target, String mode) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx64m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(AtomicFilesCrashIT.class.getName());
    cmd.add(target.toString());
    cmd.add(mode);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String first =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))
            .readLine();
    assertEquals("WRITING", first, "worker output");
    return p;
  }

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aWriterKilledMidWriteLeavesTheOldContentAndATempTheSweepRemoves() throws Exception {
    Path target = dir.resolve("doc");
    Files.write(target, content(0));
    Process p = spawn(target, "hang");
    p.destroyForcibly(); // SIGKILL
    p.waitFor();
    assertArrayEquals(content(0), Files.readAllBytes(target));
    List<String> left = names();
    assertEquals(2, left.size(), left.toString());
    String temp = left.get(0);
    assertTrue(AtomicFiles.isTempName(temp), temp);
    assertTrue(temp.contains(".jbuild-tmp." + p.pid() + "."), temp);
    assertEquals(1, AtomicFiles.sweep(dir));
    assertEquals(List.of("doc"), names());
  }

  @Test
  void aWriterKilledAtRandomInstantsLeavesOneWholeVersion() throws Exception {
    Path target = dir.resolve("doc");
    Random random = new Random(42);
    for (int round = 0; round < 5; round++) {
      Process p = spawn(target, "loop");
      Thread.sleep(random.nextInt(200));
      p.destroyForcibly();
      p.waitFor();
      byte[] now = Files.readAllBytes(target);
      assertEquals(SIZE, now.length, "round " + round);
      byte first = now[0];
      for (byte b : now) {
        if (b != first) {
          throw new AssertionError("round " + round + ": mixed content");
        }
      }
      AtomicFiles.sweep(dir);
      assertEquals(List.of("doc"), names(), "round " + round);
    }
  }
}
