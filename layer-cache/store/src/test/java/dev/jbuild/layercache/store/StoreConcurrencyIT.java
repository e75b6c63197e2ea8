package dev.jbuild.layercache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs use one store at once: tagging, writing blobs and cache records, unpacking layers, and
 * pruning (exclusive lock) while the other builds (shared lock). No tag update is lost and the
 * store stays valid.
 */
class StoreConcurrencyIT {
  @TempDir Path dir;

  @Test
  void twoProcessesShareOneStore() throws Exception {
    Path root = dir.resolve("store");
    int iterations = 25;
    Process a = StoreChecker.spawn(root, "alpha", iterations, 1, 6);
    Process b = StoreChecker.spawn(root, "beta", iterations, 2, 0);
    CompletableFuture<String> outA = drain(a);
    CompletableFuture<String> outB = drain(b);
    assertTrue(a.waitFor(120, TimeUnit.SECONDS), "alpha finished");
    assertTrue(b.waitFor(120, TimeUnit.SECONDS), "beta finished");
    assertEquals(0, a.exitValue(), outA.get());
    assertEquals(0, b.exitValue(), outB.get());
    assertTrue(outA.get().contains("ITER " + iterations), outA.get());
    assertTrue(outB.get().contains("ITER " + iterations), outB.get());
    try (Store s = Store.open(root)) {
      StoreChecker.check(s);
      for (String name : new String[] {"alpha", "beta"}) {
        for (int i = 1; i <= iterations; i++) {
          assertTrue(s.images().resolve(name + ":" + i).isPresent(), name + ":" + i + " kept");
        }
        assertTrue(s.images().resolve(name).isPresent());
      }
      for (int i = 0; i < 3; i++) {
        assertTrue(s.images().resolve("shared:" + i).isPresent());
      }
      assertEquals(2 * iterations + 2 + 3, s.images().tagged().size());
    }
  }

  private static CompletableFuture<String> drain(Process p) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return new String(p.getInputStream().readAllBytes());
          } catch (IOException e) {
            return e.toString();
          }
        });
  }
}
