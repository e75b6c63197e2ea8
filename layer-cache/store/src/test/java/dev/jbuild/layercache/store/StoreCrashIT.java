package dev.jbuild.layercache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILLs a child JVM that writes blobs, images, tags, cache records, unpacks layers and prunes,
 * at random moments; after each kill the store reopens valid and the next run works.
 */
class StoreCrashIT {
  @TempDir Path dir;

  @Test
  void sigkillAtAnyInstantLeavesAValidStore() throws Exception {
    Path root = dir.resolve("store");
    Random random = new Random(20261122);
    int killedMidIteration = 0;
    for (int round = 0; round < 5; round++) {
      Process p = StoreChecker.spawn(root, "crash" + round, 0, random.nextLong(), 4);
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      // let it get going (past JVM start and the first iteration), then kill at a random moment
      String first = out.readLine();
      if (first == null || !first.startsWith("ITER")) {
        StoreChecker.failWithOutput(p, "worker did not start: " + first);
      }
      Thread.sleep(50 + random.nextInt(700));
      p.destroyForcibly(); // SIGKILL
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      assertEquals(137, p.exitValue(), "killed by SIGKILL");
      killedMidIteration++;
      try (Store s = Store.open(root)) {
        try (Stream<Path> tmp = Files.list(s.root().resolve("tmp"))) {
          // a directory killed between creation and naming (.new-*) waits out a grace period
          assertEquals(
              0,
              tmp.filter(t -> !t.getFileName().toString().startsWith(".new-")).count(),
              "the dead worker's staging was swept");
        }
        StoreChecker.check(s);
        // the store keeps working after the crash
        StoreTorture.iteration(s, "after" + round, 1, random);
        StoreChecker.check(s);
      }
    }
    assertEquals(5, killedMidIteration);
  }
}
