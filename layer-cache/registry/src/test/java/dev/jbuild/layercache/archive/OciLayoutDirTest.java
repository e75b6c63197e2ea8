package dev.jbuild.layercache.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.RandomImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An OCI layout directory read as untrusted: buildx's tag lookup, an image copied into a fresh
 * store with its manifest's own digest, a blob by digest that index.json does not name, symlinks
 * refused.
 */
class OciLayoutDirTest {
  @TempDir Path tmp;

  /** A layout of two images: one tagged a (ref.name), one named by containerd's full name. */
  private record Layout(Path dir, Descriptor a, Descriptor b) {}

  private Layout layout() throws IOException {
    Path dir = tmp.resolve("layout");
    Descriptor a;
    Descriptor b;
    try (Store store = Store.open(tmp.resolve("src"))) {
      a = RandomImages.small(store, "a:1", 2);
      b = RandomImages.small(store, "b:1", 3);
      Files.createDirectories(dir.resolve("blobs/sha256"));
      for (Digest d : store.blobs().list()) {
        Files.copy(store.blobs().path(d), dir.resolve("blobs/sha256/" + d.hex()));
      }
    }
    ImageIndex index =
        ImageIndex.of(
            List.of(
                a.withAnnotation(MediaTypes.ANNOTATION_REF_NAME, "a"),
                b.withAnnotation(MediaTypes.ANNOTATION_CONTAINERD_NAME, "docker.io/library/b:1")
                    .withAnnotation(MediaTypes.ANNOTATION_REF_NAME, "1")));
    Files.write(dir.resolve("index.json"), index.toBytes());
    return new Layout(dir, a, b);
  }

  @Test
  void tagsAreFoundAsBuildxFindsThem() throws Exception {
    Layout l = layout();
    try (OciLayoutDir dir = OciLayoutDir.open(l.dir())) {
      assertEquals(l.a().digest(), dir.find("a").orElseThrow().digest());
      assertEquals(l.b().digest(), dir.find("1").orElseThrow().digest());
      assertEquals(l.b().digest(), dir.find("docker.io/library/b:1").orElseThrow().digest());
      assertTrue(dir.find("latest").isEmpty(), "two entries: no single one to fall back to");
      assertEquals(List.of("a", "1"), dir.tags());
    }
  }

  @Test
  void anImageIsCopiedIntoAFreshStoreWithItsOwnDigest() throws Exception {
    Layout l = layout();
    // index.json names only a; b is read by digest from its blob alone
    Files.write(
        l.dir().resolve("index.json"),
        ImageIndex.of(List.of(l.a().withAnnotation(MediaTypes.ANNOTATION_REF_NAME, "a")))
            .toBytes());
    try (OciLayoutDir dir = OciLayoutDir.open(l.dir());
        Store fresh = Store.open(tmp.resolve("fresh"))) {
      Descriptor b = dir.describe(l.b().digest());
      assertEquals(l.b().size(), b.size());
      assertTrue(MediaTypes.isManifest(b.mediaType()), b.mediaType());
      Descriptor stored = dir.importImage(fresh, b, Platform.host());
      assertEquals(l.b().digest(), stored.digest());
      assertTrue(fresh.images().complete(stored));
      assertTrue(fresh.images().manifest(stored.digest()).layers().size() > 0);
      for (Digest diffId : fresh.images().image(stored).config().diffIds()) {
        assertTrue(fresh.layers().blobFor(diffId).isPresent(), diffId.toString());
      }
    }
  }

  @Test
  void symlinksAndMissingFilesAreRefused() throws Exception {
    Layout l = layout();
    Path blob = l.dir().resolve("blobs/sha256/" + l.a().digest().hex());
    Path elsewhere = tmp.resolve("elsewhere");
    Files.move(blob, elsewhere);
    Files.createSymbolicLink(blob, elsewhere);
    try (OciLayoutDir dir = OciLayoutDir.open(l.dir());
        Store fresh = Store.open(tmp.resolve("fresh"))) {
      IOException e =
          assertThrows(IOException.class, () -> dir.importImage(fresh, l.a(), Platform.host()));
      assertTrue(e.getMessage().contains("through a symlink"), e.getMessage());
      Files.delete(blob);
      assertThrows(NoSuchFileException.class, () -> dir.importImage(fresh, l.a(), Platform.host()));
    }
    assertThrows(NoSuchFileException.class, () -> OciLayoutDir.open(tmp.resolve("none")));
  }
}
