package dev.jbuild.layercache.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The canonical order: component-wise bytes, with the opaque marker first in its directory. */
class TarNamesTest {
  @TempDir Path dir;

  private static final List<String> CANONICAL =
      List.of(
          ".",
          ".wh..wh..opq",
          "+x",
          "-b",
          ".a",
          ".java-17.jinfo",
          ".wh..wh..opq2",
          ".wh.a",
          "a",
          "a/.wh..wh..opq",
          "a/-z",
          "a/.a",
          "a/.wh..wh..opq.not",
          "a/b",
          "a/b/.wh..wh..opq",
          "a/b/.c",
          "a-c",
          "b");

  @Test
  void componentsResolveDotsLexicallyAndNeverClimbAboveTheRoot() {
    assertEquals(List.of("a", "c"), TarNames.components("a/./b/../c"));
    assertEquals(List.of("a", "b"), TarNames.components("/a//b/"));
    assertEquals(List.of("x"), TarNames.components("../../x"));
    assertEquals(List.of("etc"), TarNames.components("a/../../etc"));
    assertEquals(List.of(), TarNames.components(""));
    assertEquals(List.of(), TarNames.components("./.."));
  }

  @Test
  void theOpaqueMarkerSortsFirstAmongItsSiblings() {
    for (int i = 0; i < CANONICAL.size(); i++) {
      for (int j = 0; j < CANONICAL.size(); j++) {
        int c = Integer.signum(TarNames.compare(CANONICAL.get(i), CANONICAL.get(j)));
        assertEquals(
            Integer.signum(Integer.compare(i, j)), c, CANONICAL.get(i) + " vs " + CANONICAL.get(j));
      }
    }
    List<String> shuffled = new ArrayList<>(CANONICAL);
    Collections.shuffle(shuffled, new Random(7));
    shuffled.sort(TarNames.ORDER);
    assertEquals(CANONICAL, shuffled);
  }

  @Test
  void siblingOrderAgreesWithTheFullNameOrder() {
    List<String> names = List.of(".wh..wh..opq", "+x", "-b", ".a", ".wh.a", "a", "é", "z");
    for (String a : names) {
      for (String b : names) {
        assertEquals(
            Integer.signum(TarNames.compare("d/" + a, "d/" + b)),
            Integer.signum(TarNames.compareComponents(a, b)),
            a + " vs " + b);
      }
    }
  }

  @Test
  void theWriterTakesAReplacedDirectoryWhoseContentSortsBeforeTheMarker() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (LayerWriter w = LayerWriter.open(out, LayerWriterOptions.defaults())) {
      w.add(TarEntry.directory("etc"));
      w.add(TarEntry.directory("etc/x"));
      w.add(TarEntry.opaque("etc/x", java.time.Instant.EPOCH));
      w.add(TarEntry.file("etc/x/.a", 0));
      w.add(TarEntry.file("etc/x/b", 0));
      w.finish();
    }
    // Applied over a lower layer, the marker hides the lower content and keeps the new.
    Files.createDirectories(dir.resolve("etc/x"));
    Files.writeString(dir.resolve("etc/x/old"), "");
    LayerApplier.apply(new ByteArrayInputStream(out.toByteArray()), dir, ApplyMode.FLAT);
    assertTrue(Files.exists(dir.resolve("etc/x/.a")));
    assertTrue(Files.exists(dir.resolve("etc/x/b")));
    assertTrue(Files.notExists(dir.resolve("etc/x/old")));
  }

  @Test
  void theWalkerPutsAnExtraMarkerFirst() throws Exception {
    Path tree = dir.resolve("tree");
    Files.createDirectories(tree.resolve("x"));
    Files.writeString(tree.resolve("x/.a"), "");
    Files.writeString(tree.resolve("x/b"), "");
    List<String> names = new ArrayList<>();
    DirectoryWalker.walk(
        tree,
        DirectoryWalker.Options.defaults()
            .withHook(
                new DirectoryWalker.Hook() {
                  @Override
                  public List<TarEntry> extraChildren(DirectoryWalker.WalkedFile d, String n) {
                    return n.equals("x")
                        ? List.of(TarEntry.opaque("x", java.time.Instant.EPOCH))
                        : List.of();
                  }
                }),
        (e, src) -> names.add(e.name()));
    assertEquals(List.of("x", "x/.wh..wh..opq", "x/.a", "x/b"), names);
  }
}
