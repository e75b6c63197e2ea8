package dev.jbuild.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.History;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.store.fixtures.SampleImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageValidatorTest {
  @TempDir Path dir;

  @Test
  void aSampleImageIsValid() throws IOException {
    try (Store s = Store.open(dir)) {
      SampleImages.image(s, "app:1", SampleImages.T0, List.of(Map.of("a", "1"), Map.of("b", "2")));
      ImageValidator.validate(s, "app:1");
      ImageValidator.validate(s, "docker.io/library/app:1");
      ImageValidator.validateLayout(s.root());
      ImageValidator.validateLayout(s.root(), "app:1");
    }
  }

  @Test
  void gzipLayersAreCheckedAgainstTheirDiffIds() throws IOException {
    try (Store s = Store.open(dir)) {
      SampleImages.Layer gz = SampleImages.layer(s, Compression.GZIP, Map.of("x", "y"));
      tagImage(s, List.of(gz.blob()), List.of(gz.diffId()), c -> c);
      ImageValidator.validate(s, "t");
      SampleImages.Layer other = SampleImages.layer(s, Compression.GZIP, Map.of("x", "z"));
      tagImage(s, List.of(gz.blob()), List.of(other.diffId()), c -> c);
      assertProblem(s, "uncompressed content hashes to");
      tagImage(
          s, List.of(gz.blob().withMediaType(MediaTypes.OCI_LAYER)), List.of(gz.diffId()), c -> c);
      assertProblem(s, "but the blob is GZIP");
    }
  }

  @Test
  void everyBrokenInvariantIsReported() throws IOException {
    try (Store s = Store.open(dir)) {
      SampleImages.Layer l = SampleImages.layer(s, Compression.NONE, Map.of("x", "y"));
      // fewer diff_ids than layers
      tagImage(s, List.of(l.blob()), List.of(), c -> c);
      assertProblem(s, "1 layers but 0 diff_ids");
      // size lie
      Descriptor bad = Descriptor.of(l.blob().mediaType(), l.blob().digest(), l.blob().size() + 1);
      tagImage(s, List.of(bad), List.of(l.diffId()), c -> c);
      assertProblem(s, "descriptor says");
      // missing blob
      Descriptor missing = Descriptor.of(MediaTypes.OCI_LAYER, Digest.sha256(new byte[] {1}), 1);
      tagImage(s, List.of(missing), List.of(missing.digest()), c -> c);
      assertProblem(s, "is missing");
      // history that does not match
      tagImage(
          s,
          List.of(l.blob()),
          List.of(l.diffId()),
          c -> c.withAddedHistory(History.of(SampleImages.T0, "RUN extra", null, false)));
      assertProblem(s, "non-empty history entries");
      // a config media type where a layer should be
      tagImage(
          s, List.of(l.blob().withMediaType(MediaTypes.OCI_CONFIG)), List.of(l.diffId()), c -> c);
      assertProblem(s, "has media type application/vnd.oci.image.config.v1+json");
      // corrupt blob content
      tagImage(s, List.of(l.blob()), List.of(l.diffId()), c -> c);
      ImageValidator.validate(s, "t");
      Path p = s.blobs().path(l.blob().digest());
      p.toFile().setWritable(true);
      byte[] bytes = Files.readAllBytes(p);
      bytes[0] ^= 1;
      Files.write(p, bytes);
      assertProblem(s, "hashes to");
    }
  }

  private static void assertProblem(Store s, String text) {
    AssertionError e = assertThrows(AssertionError.class, () -> ImageValidator.validate(s, "t"));
    assertTrue(e.getMessage().contains(text), e.getMessage());
  }

  private static void tagImage(
      Store s, List<Descriptor> layers, List<Digest> diffIds, UnaryOperator<ImageConfig> edit)
      throws IOException {
    ImageConfig c = ImageConfig.empty(dev.jbuild.layercache.model.Platform.host());
    for (Digest d : diffIds) {
      c = c.withAddedDiffId(d);
    }
    for (int i = 0; i < layers.size(); i++) {
      c = c.withAddedHistory(History.of(SampleImages.T0, "COPY", null, false));
    }
    Descriptor config = s.images().putConfig(edit.apply(c));
    Descriptor m = s.images().putManifest(ImageManifest.of(config, layers));
    s.images().tag("t", m);
    Image img = s.images().image(m);
    assertEquals(layers.size(), img.manifest().layers().size());
  }
}
