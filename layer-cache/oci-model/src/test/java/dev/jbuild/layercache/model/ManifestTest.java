package dev.jbuild.layercache.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestTest {
  static final String A = "sha256:" + "a".repeat(64);
  static final String B = "sha256:" + "b".repeat(64);
  static final String C = "sha256:" + "c".repeat(64);

  static final String DOCKER_MANIFEST =
      """
      {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",\
      "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1469,"digest":"%s"},\
      "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":2,"digest":"%s"},\
      {"mediaType":"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip","size":3,"digest":"%s",\
      "urls":["https://example.com/l"]}]}"""
          .formatted(A, B, C);

  @Test
  void dockerManifestIsReadAndConvertedToOci() {
    ImageManifest m = ImageManifest.parse(DOCKER_MANIFEST.getBytes(StandardCharsets.UTF_8));
    assertTrue(m.isDocker());
    assertEquals(Digest.parse(A), m.config().digest());
    assertEquals(1469 + 2 + 3, m.contentSize());
    ImageManifest oci = m.toOci();
    assertEquals(MediaTypes.OCI_MANIFEST, oci.mediaType());
    assertEquals(MediaTypes.OCI_CONFIG, oci.config().mediaType());
    assertEquals(MediaTypes.OCI_LAYER_GZIP, oci.layers().get(0).mediaType());
    assertEquals(MediaTypes.OCI_LAYER_NONDIST_GZIP, oci.layers().get(1).mediaType());
    assertEquals(List.of("https://example.com/l"), oci.layers().get(1).urls());
    assertEquals(m, oci.toDocker().withLayers(m.layers()).withConfig(m.config()));
    assertEquals(MediaTypes.DOCKER_LAYER_GZIP, oci.toDocker().layers().get(0).mediaType());
    assertEquals(
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
            + A
            + "\",\"size\":1469},\"layers\":[{\"mediaType\":"
            + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\""
            + B
            + "\",\"size\":2},{\"mediaType\":"
            + "\"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip\",\"digest\":\""
            + C
            + "\",\"size\":3,\"urls\":[\"https://example.com/l\"]}]}",
        new String(oci.toBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void unknownMembersAndAnnotationsSurvive() {
    String text =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
            + A
            + "\",\"size\":7,\"data\":\"e30=\"},\"layers\":[],\"subject\":{\"mediaType\":"
            + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\""
            + B
            + "\",\"size\":1},\"annotations\":{\"z\":\"1\",\"a\":\"2\"},\"x-extra\":[1]}";
    ImageManifest m = ImageManifest.parse(text.getBytes(StandardCharsets.UTF_8));
    assertEquals(text, new String(m.toBytes(), StandardCharsets.UTF_8));
    assertEquals("e30=", m.config().extra().string("data"));
    assertEquals(Map.of("z", "1", "a", "2"), m.annotations());
  }

  @Test
  void manifestListIsConvertedAndSelectsPlatforms() {
    String list =
        """
        {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",\
        "manifests":[\
        {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"%s","size":1,\
        "platform":{"architecture":"amd64","os":"linux"}},\
        {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"%s","size":2,\
        "platform":{"architecture":"arm","os":"linux","variant":"v6"}},\
        {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"%s","size":3,\
        "platform":{"architecture":"arm64","os":"linux","variant":"v8"}}]}"""
            .formatted(A, B, C);
    ImageIndex idx = ImageIndex.parse(list.getBytes(StandardCharsets.UTF_8));
    assertEquals(list, new String(idx.toBytes(), StandardCharsets.UTF_8));
    assertEquals(Digest.parse(A), idx.select(Platform.parse("linux/amd64")).orElseThrow().digest());
    assertEquals(Digest.parse(C), idx.select(Platform.parse("linux/arm64")).orElseThrow().digest());
    assertEquals(
        Digest.parse(C), idx.select(Platform.parse("linux/aarch64/v8")).orElseThrow().digest());
    assertEquals(
        Digest.parse(B), idx.select(Platform.parse("linux/arm/v6")).orElseThrow().digest());
    assertTrue(idx.select(Platform.parse("linux/arm/v7")).isEmpty());
    assertTrue(idx.select(Platform.parse("linux/s390x")).isEmpty());
    ImageIndex oci = idx.toOci();
    assertEquals(MediaTypes.OCI_INDEX, oci.mediaType());
    assertTrue(
        oci.manifests().stream().allMatch(d -> d.mediaType().equals(MediaTypes.OCI_MANIFEST)));
    assertEquals(idx, oci.toDocker());
  }

  @Test
  void detectsDocumentKinds() {
    assertEquals(
        MediaTypes.OCI_INDEX,
        ImageIndex.detectMediaType(Json.parseObject("{\"schemaVersion\":2,\"manifests\":[]}")));
    assertEquals(
        MediaTypes.OCI_MANIFEST,
        ImageIndex.detectMediaType(Json.parseObject("{\"schemaVersion\":2,\"config\":{}}")));
    assertEquals(
        MediaTypes.DOCKER_MANIFEST, ImageIndex.detectMediaType(Json.parseObject(DOCKER_MANIFEST)));
  }

  @Test
  void badDocumentsGiveClearErrors() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImageManifest.parse("{\"schemaVersion\":1,\"fsLayers\":[]}".getBytes()));
    assertTrue(e.getMessage().contains("schema 1"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ImageManifest.parse(
                    ("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"x\",\"digest\":\""
                            + A
                            + "\",\"size\":1},\"layers\":[{\"mediaType\":\"x\",\"digest\":\"sha256:1\",\"size\":1}]}")
                        .getBytes()));
    assertTrue(e.getMessage().startsWith("layers[0]: "), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImageManifest.parse("{\"schemaVersion\":2,\"layers\":[]}".getBytes()));
    assertTrue(e.getMessage().contains("config"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ImageManifest.parse(
                    "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\"}"
                        .getBytes()));
    assertTrue(e.getMessage().contains("not an image manifest"), e.getMessage());
  }

  @Test
  void mediaTypeHelpers() {
    assertEquals(
        MediaTypes.LayerCompression.GZIP,
        MediaTypes.layerCompression(MediaTypes.DOCKER_LAYER_GZIP));
    assertEquals(
        MediaTypes.LayerCompression.ZSTD, MediaTypes.layerCompression(MediaTypes.OCI_LAYER_ZSTD));
    assertEquals(
        MediaTypes.LayerCompression.NONE, MediaTypes.layerCompression(MediaTypes.OCI_LAYER));
    assertTrue(MediaTypes.isNonDistributable(MediaTypes.DOCKER_LAYER_FOREIGN));
    assertThrows(
        IllegalArgumentException.class, () -> MediaTypes.layerCompression(MediaTypes.OCI_CONFIG));
  }
}
