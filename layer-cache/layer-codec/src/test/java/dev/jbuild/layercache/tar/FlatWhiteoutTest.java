package dev.jbuild.layercache.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.fs.UserNamespace;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FLAT mode: whiteouts delete, opaque markers hide what lower layers put in a directory. */
class FlatWhiteoutTest {
  @TempDir Path root;

  private void apply(TarFixtures layer) throws Exception {
    LayerApplier.apply(new ByteArrayInputStream(layer.bytes()), root, ApplyMode.FLAT);
  }

  private List<String> tree() throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> !p.equals(root))
          .map(p -> root.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  @Test
  void whiteoutsAndOpaqueMarkers() throws Exception {
    apply(
        new TarFixtures()
            .file("a/x", "")
            .file("a/y", "")
            .file("a/sub/old", "")
            .file("b/z", "")
            .file("b/keep", "")
            .file("c", "")
            .dir("gone")
            .file("gone/deep", ""));
    apply(
        new TarFixtures()
            .file(".wh.c", "")
            .file(".wh.gone", "")
            .file(".wh.never-existed", "")
            .file("a/-early", "sorted before the marker")
            .file("a/.wh..wh..opq", "")
            .file("a/new", "")
            .file("a/sub/new", "")
            .file("b/.wh.z", ""));
    assertEquals(List.of("a", "a/-early", "a/new", "a/sub", "a/sub/new", "b", "b/keep"), tree());
  }

  @Test
  void anOpaqueMarkerKeepsWhatThisLayerWroteBeforeItInSubdirectories() throws Exception {
    apply(new TarFixtures().file("d/sub/lower", "").file("d/lowerfile", ""));
    apply(
        new TarFixtures()
            .dir("d")
            .file("d/+early/x", "")
            .file("d/sub/mine", "")
            .file("d/.wh..wh..opq", ""));
    assertEquals(List.of("d", "d/+early", "d/+early/x", "d/sub", "d/sub/mine"), tree());
  }

  @Test
  void overlayModeKeepsLowerContentUntouchedButMarksIt() throws Exception {
    Files.createDirectories(root.resolve("d"));
    Files.writeString(root.resolve("d/other-layer"), "x");
    LayerApplier.apply(
        new ByteArrayInputStream(
            new TarFixtures().file("d/.wh..wh..opq", "").file("d/.wh.f", "").bytes()),
        root,
        ApplyMode.OVERLAY);
    assertEquals(List.of("d", "d/f", "d/other-layer"), tree());
    // the marks overlayfs reads: d opaque, d/f a 0/0 character device; the lower's file untouched
    assertEquals(
        "y",
        new String(
            Posix.lgetxattr(root.resolve("d"), UserNamespace.opaqueXattr()).orElseThrow(),
            java.nio.charset.StandardCharsets.US_ASCII));
    Stat f = Posix.lstat(root.resolve("d/f"));
    assertTrue(f.isWhiteout(), "d/f is a 0/0 character device: " + f);
    assertEquals("x", Files.readString(root.resolve("d/other-layer")));
  }
}
