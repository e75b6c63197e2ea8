package dev.jbuild.layercache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.fixtures.SampleImages;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tagged image index keeps its images alive; untagged, they go with it. */
class IndexGcTest {
  @TempDir Path dir;

  Store open() throws IOException {
    return Store.open(dir, StoreOptions.defaults().withUnpacker(new SampleImages.SimpleUnpacker()));
  }

  @Test
  void theImagesOfATaggedIndexLiveAndDieWithIt() throws IOException {
    try (Store s = open()) {
      Descriptor amd = SampleImages.image(s, "amd").withPlatform(Platform.parse("linux/amd64"));
      Descriptor arm = SampleImages.image(s, "arm").withPlatform(Platform.parse("linux/arm64"));
      Descriptor inner = s.images().putIndex(ImageIndex.of(List.of(arm)));
      Descriptor index = s.images().putIndex(ImageIndex.of(List.of(amd, inner)));
      s.images().tag("multi:1", index);
      List<Descriptor> children = List.of(amd, arm, inner);
      var all = new ArrayList<>(children);
      for (Descriptor m : List.of(amd, arm)) {
        ImageManifest manifest = s.images().manifest(m.digest());
        all.add(manifest.config());
        all.addAll(manifest.layers());
      }

      // images() follows the nested index; each image carries its platform
      List<Image> images = s.images().images(index);
      assertEquals(
          List.of("linux/amd64", "linux/arm64"),
          images.stream().map(i -> i.platform().toString()).toList());
      assertEquals(
          amd.digest(), s.images().image(index, Platform.parse("linux/amd64")).manifestDigest());
      var missing =
          assertThrows(
              NoSuchFileException.class,
              () -> s.images().image(index, Platform.parse("linux/s390x")));
      assertTrue(missing.getMessage().contains("(it has: linux/amd64)"), missing.getMessage());

      s.gc().prune(PruneOptions.defaults());
      for (Descriptor d : all) {
        assertTrue(s.blobs().has(d.digest()), "kept: " + d);
      }
      s.images().untag("multi:1");
      s.gc().prune(PruneOptions.defaults());
      assertFalse(s.blobs().has(index.digest()));
      for (Descriptor d : all) {
        assertFalse(s.blobs().has(d.digest()), "removed: " + d);
      }
    }
  }

  @Test
  void indexesBeyondTheBoundsAreRefusedByName() throws IOException {
    try (Store s = open()) {
      Descriptor img = SampleImages.image(s, "x").withPlatform(Platform.parse("linux/amd64"));
      Descriptor many =
          s.images()
              .putIndex(ImageIndex.of(Collections.nCopies(ImageIndex.MAX_MANIFESTS + 1, img)));
      var e = assertThrows(IOException.class, () -> s.images().images(many));
      assertTrue(e.getMessage().contains("jbuild accepts at most 1024"), e.getMessage());
      Descriptor level = img;
      for (int i = 0; i <= ImageIndex.MAX_DEPTH; i++) {
        level = s.images().putIndex(ImageIndex.of(List.of(level)));
      }
      Descriptor deep = level;
      var d = assertThrows(IOException.class, () -> s.images().images(deep));
      assertTrue(d.getMessage().contains("nested more than 4 deep"), d.getMessage());
    }
  }
}
