package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kept contexts: lent one build at a time, bounded in number and bytes, LRU out. */
class ContextPoolTest {
  @TempDir Path store;

  @Test
  void aKeptDirectoryIsLentToOneBuildAtATime() throws Exception {
    ContextPool pool = new ContextPool(store, 4, 1L << 30);
    Path a = pool.take("k");
    Path b = pool.take("k"); // a concurrent build of the same key: its own directory
    assertNotEquals(a, b);
    pool.give("k", a, 1);
    pool.give("k", b, 1); // the newer replaces the older, which is deleted
    assertFalse(Files.exists(a));
    assertEquals(b, pool.take("k"));
    assertEquals(
        "rwx------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(ContextPool.dir(store))));
  }

  @Test
  void theLeastRecentlyUsedGoFirstPastEitherBound() throws Exception {
    ContextPool pool = new ContextPool(store, 2, 100);
    Path a = pool.take("a");
    Path b = pool.take("b");
    Path c = pool.take("c");
    pool.give("a", a, 10);
    pool.give("b", b, 10);
    assertEquals(a, pool.take("a")); // a used again: b is now the oldest
    pool.give("a", a, 10);
    pool.give("c", c, 10); // three kept: one too many
    assertFalse(Files.exists(b));
    assertTrue(Files.isDirectory(a) && Files.isDirectory(c));
    Path d = pool.take("d");
    pool.give("d", d, 95); // 10 + 10 + 95 > 100 bytes: a goes, then 10 + 95 > 100: c goes
    assertFalse(Files.exists(a));
    assertFalse(Files.exists(c));
    assertTrue(Files.isDirectory(d));
    Path e = pool.take("e");
    pool.give("e", e, 101); // past the bound alone: not kept, and d stays
    assertFalse(Files.exists(e));
    assertEquals(d, pool.take("d"));
    pool.give("d", d, 95);
    pool.give("d", d, 120); // grown past the bound: not kept any more
    assertFalse(Files.exists(d));
  }
}
