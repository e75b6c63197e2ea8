package dev.jbuild.builder.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.MediaTypes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildMetadataTest {
  @TempDir Path tmp;

  private static final Digest M = Digest.sha256(new byte[] {1});
  private static final Digest C = Digest.sha256(new byte[] {2});

  @Test
  void aSingleImageHasItsConfigDigestAndNames() throws Exception {
    Path f = tmp.resolve("meta.json");
    BuildMetadata.write(
        f, Descriptor.of(MediaTypes.OCI_MANIFEST, M, 123), C, List.of("r.io/a:1", "r.io/a:2"));
    JsonObject o = Json.parseObject(Files.readString(f));
    assertEquals(
        List.of(
            "containerimage.config.digest",
            "containerimage.descriptor",
            "containerimage.digest",
            "image.name"),
        List.copyOf(o.keys()));
    assertEquals(C.toString(), o.string("containerimage.config.digest"));
    assertEquals(M.toString(), o.string("containerimage.digest"));
    JsonObject d = o.object("containerimage.descriptor");
    assertEquals(MediaTypes.OCI_MANIFEST, d.string("mediaType"));
    assertEquals(M.toString(), d.string("digest"));
    assertEquals(123L, d.longValue("size"));
    assertEquals("r.io/a:1,r.io/a:2", o.string("image.name"));
  }

  @Test
  void anIndexHasNoConfigDigestAndNoNameWithoutTags() {
    JsonObject o = BuildMetadata.of(Descriptor.of(MediaTypes.OCI_INDEX, M, 9), null, List.of());
    assertNull(o.string("containerimage.config.digest"));
    assertFalse(o.has("image.name"));
    assertEquals(MediaTypes.OCI_INDEX, o.object("containerimage.descriptor").string("mediaType"));
    assertEquals(M.toString(), o.string("containerimage.digest"));
  }
}
