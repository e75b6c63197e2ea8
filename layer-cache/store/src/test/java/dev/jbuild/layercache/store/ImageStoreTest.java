package dev.jbuild.layercache.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.fixtures.SampleImages;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreTest {
  @TempDir Path dir;
  Store store;
  ImageStore images;

  @BeforeEach
  void open() throws IOException {
    store = Store.open(dir);
    images = store.images();
  }

  @org.junit.jupiter.api.AfterEach
  void close() throws IOException {
    store.close();
  }

  @Test
  void tagsAreRefNameAnnotationsAndLookupsNormalise() throws IOException {
    Descriptor a = SampleImages.image(store, "a");
    images.tag("busybox", a);
    images.tag("app:1", a);
    assertEquals("busybox", images.list().get(0).refName());
    assertEquals(a.digest(), images.resolve("busybox").orElseThrow().digest());
    assertEquals(a.digest(), images.resolve("busybox:latest").orElseThrow().digest());
    assertEquals(
        a.digest(), images.resolve("docker.io/library/busybox:latest").orElseThrow().digest());
    assertEquals(a.digest(), images.resolve("docker.io/library/app:1").orElseThrow().digest());
    assertEquals(a.digest(), images.resolve("app@" + a.digest()).orElseThrow().digest());
    assertTrue(images.resolve("app:2").isEmpty());
    assertTrue(images.resolve("not a name").isEmpty());
    assertEquals(List.of("busybox", "app:1"), images.tagsOf(a.digest()));
    Image img = images.image(images.resolve("app:1").orElseThrow());
    assertEquals(a.digest(), img.manifestDigest());
    assertEquals(1, img.config().diffIds().size());
  }

  @Test
  void retagLeavesTheOldImageDangling() throws IOException {
    Descriptor a = SampleImages.image(store, "a");
    Descriptor b = SampleImages.image(store, "b");
    images.tag("app:1", a);
    images.tag("docker.io/library/app:1", b); // the same tag, spelled differently
    assertEquals(b.digest(), images.resolve("app:1").orElseThrow().digest());
    assertEquals(List.of(a.digest()), images.dangling().stream().map(Descriptor::digest).toList());
    assertEquals(1, images.tagged().size());
    assertEquals("docker.io/library/app:1", images.tagged().get(0).refName());
    // tagging the dangling image makes it a tagged one again
    images.tag("old", a);
    assertTrue(images.dangling().isEmpty());
    assertEquals(2, images.list().size());
  }

  @Test
  void retagKeepsTheOldImageWhenAnotherTagNamesIt() throws IOException {
    Descriptor a = SampleImages.image(store, "a");
    Descriptor b = SampleImages.image(store, "b");
    images.tag("app:1", a);
    images.tag("app:stable", a);
    images.tag("app:1", b);
    assertTrue(images.dangling().isEmpty());
    assertEquals(a.digest(), images.resolve("app:stable").orElseThrow().digest());
  }

  @Test
  void untagDropsTheImageWithItsLastTag() throws IOException {
    Descriptor a = SampleImages.image(store, "a");
    images.tag("app:1", a);
    images.tag("app:2", a);
    assertEquals(a.digest(), images.untag("app:1").orElseThrow().digest());
    assertEquals(1, images.list().size());
    images.untag("docker.io/library/app:2");
    assertTrue(images.list().isEmpty());
    assertTrue(images.untag("app:2").isEmpty());
  }

  @Test
  void untaggedBuildsAreDanglingUntilTagged() throws IOException {
    Descriptor a = SampleImages.image(store, "a");
    images.addUntagged(a);
    images.addUntagged(a);
    assertEquals(1, images.dangling().size());
    images.tag("x", a);
    assertEquals(1, images.list().size());
    images.addUntagged(a);
    assertEquals(1, images.list().size(), "a tagged image is not added as dangling");
    assertEquals(1, images.remove(a.digest()));
    assertTrue(images.list().isEmpty());
  }

  @Test
  void taggingWithADigestIsRefused() throws IOException {
    Descriptor a = SampleImages.image(store, "a");
    assertThrows(IllegalArgumentException.class, () -> images.tag("app@" + a.digest(), a));
    assertThrows(IllegalArgumentException.class, () -> images.tag("Bad:Name", a));
  }

  @Test
  void annotationsOfTheTargetAreReplacedByTheRefName() throws IOException {
    Descriptor a =
        SampleImages.image(store, "a").withAnnotation(MediaTypes.ANNOTATION_REF_NAME, "other");
    images.tag("app:1", a);
    assertEquals("app:1", images.list().get(0).refName());
  }
}
