package dev.jbuild.layercache.archive;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Caches in BuildKit's format (its {@code cache/remotecache/v1} layout, written here by hand as
 * BuildKit's {@code type=local} exporter lays them out) are refused with a message that says why:
 * an index holding the layers and the {@code application/vnd.buildkit.cacheconfig.v0} config
 * ({@code image-manifest=false}), a manifest whose config is one ({@code image-manifest=true}), and
 * an image whose config carries {@code moby.buildkit.cache.v0} (BuildKit's inline cache).
 */
class BuildKitCacheTest {
  @TempDir Path tmp;

  /** BuildKit's cache config: one layer, two records linked by an input with a selector. */
  private static final String CACHE_CONFIG =
      """
      {"layers":[{"blob":"BLOB","parent":-1,"annotations":{"mediaType":\
      "application/vnd.oci.image.layer.v1.tar+gzip","diffID":"sha256:%s","size":3,\
      "createdAt":"2026-01-01T00:00:00Z"}}],\
      "records":[{"digest":"sha256:%s"},{"digest":"sha256:%s","layers":[{"layer":0,\
      "createdAt":"2026-01-01T00:00:00Z"}],"inputs":[[{"selector":"sha256:%s","link":0}]]}]}
      """
          .formatted("1".repeat(64), "2".repeat(64), "3".repeat(64), "4".repeat(64));

  private Path layout(String name) throws IOException {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir.resolve("blobs/sha256"));
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    return dir;
  }

  private static Descriptor blob(Path dir, String mediaType, byte[] bytes) throws IOException {
    Digest d = Digest.sha256(bytes);
    Files.write(dir.resolve("blobs/sha256/" + d.hex()), bytes);
    return Descriptor.of(mediaType, d, bytes.length);
  }

  private static void tag(Path dir, Descriptor top) throws IOException {
    Files.write(
        dir.resolve("index.json"),
        ImageIndex.of(List.of(top.withAnnotation(MediaTypes.ANNOTATION_REF_NAME, "latest")))
            .toBytes());
  }

  private void assertRefused(Path dir, String expected) throws IOException {
    try (Store fresh = Store.open(tmp.resolve("store-" + dir.getFileName()))) {
      IOException e = assertThrows(IOException.class, () -> new LocalCache(fresh).importFrom(dir));
      assertTrue(e.getMessage().contains(expected), e.getMessage());
      assertTrue(
          e.getMessage().contains("keyed by BuildKit's LLB operation digests"), e.getMessage());
    }
  }

  @Test
  void anIndexCacheIsNamedAsBuildKits() throws Exception {
    Path dir = layout("index");
    Descriptor layer = blob(dir, MediaTypes.OCI_LAYER_GZIP, new byte[] {1, 2, 3});
    Descriptor config =
        blob(
            dir,
            CacheImporter.BUILDKIT_CACHE_CONFIG,
            CACHE_CONFIG
                .replace("BLOB", layer.digest().toString())
                .getBytes(StandardCharsets.UTF_8));
    Descriptor index =
        blob(dir, MediaTypes.OCI_INDEX, ImageIndex.of(List.of(layer, config)).toOci().toBytes());
    tag(dir, index);
    assertRefused(dir, "a BuildKit cache (application/vnd.buildkit.cacheconfig.v0)");
  }

  @Test
  void aManifestCacheIsNamedAsBuildKits() throws Exception {
    Path dir = layout("manifest");
    Descriptor layer = blob(dir, MediaTypes.OCI_LAYER_GZIP, new byte[] {1, 2, 3});
    Descriptor config =
        blob(
            dir,
            CacheImporter.BUILDKIT_CACHE_CONFIG,
            CACHE_CONFIG
                .replace("BLOB", layer.digest().toString())
                .getBytes(StandardCharsets.UTF_8));
    ImageManifest m = ImageManifest.of(config, List.of(layer));
    tag(dir, blob(dir, MediaTypes.OCI_MANIFEST, m.toBytes()));
    assertRefused(dir, "a BuildKit cache (application/vnd.buildkit.cacheconfig.v0)");
  }

  @Test
  void anInlineCacheIsNamedAsBuildKits() throws Exception {
    Path dir = layout("inline");
    Descriptor config =
        blob(
            dir,
            MediaTypes.OCI_CONFIG,
            ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                    + "\"diff_ids\":[]},\"moby.buildkit.cache.v0\":\"e30=\"}")
                .getBytes(StandardCharsets.UTF_8));
    ImageManifest m = ImageManifest.of(config, List.of());
    tag(dir, blob(dir, MediaTypes.OCI_MANIFEST, m.toBytes()));
    assertRefused(dir, "a BuildKit inline cache (moby.buildkit.cache.v0)");
  }
}
