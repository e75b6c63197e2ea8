package dev.jbuild.layercache.archive;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonString;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the {@code docker save} format that {@code docker load} reads: {@code manifest.json}
 * ({@code Config}, {@code RepoTags}, {@code Layers}), {@code repositories}, the config as {@code
 * <hex>.json}, and each layer uncompressed as {@code <diffId hex>/layer.tar} (with the legacy
 * {@code VERSION} file). A layer the store only has compressed is decompressed through a temp file
 * (a tar entry needs its size up front).
 */
public final class DockerArchive {
  private DockerArchive() {}

  public static void write(Store store, List<TaggedImage> images, OutputStream out)
      throws IOException {
    write(store, images, Platform.host(), out);
  }

  /**
   * The docker-archive format holds one image per name: of a multi-platform image (an index) the
   * one for {@code platform} is written (as {@code docker save --platform}); an index without it
   * fails naming the platforms it has.
   */
  public static void write(
      Store store, List<TaggedImage> images, Platform platform, OutputStream out)
      throws IOException {
    var manifestJson = new ArrayList<dev.jbuild.layercache.json.Json>();
    var repositories = new LinkedHashMap<String, Map<String, String>>();
    try (TarOut tar = new TarOut(out)) {
      for (TaggedImage image : images) {
        Descriptor d = image.manifest();
        var img = store.images().image(d.withAnnotations(null), platform);
        ImageManifest m = img.manifest();
        ImageConfig config = img.config();
        String configName = m.config().digest().hex() + ".json";
        tar.file(
            configName,
            store.blobs().size(m.config().digest()),
            store.blobs().openVerified(m.config().digest()));
        List<Digest> diffIds = config.diffIds();
        var layers = new ArrayList<dev.jbuild.layercache.json.Json>();
        String last = null;
        for (int i = 0; i < m.layers().size(); i++) {
          Digest diffId = diffIds.get(i);
          String dir = diffId.hex();
          String name = dir + "/layer.tar";
          if (!tar.has(name)) {
            tar.dir(dir);
            tar.text(dir + "/VERSION", "1.0");
            writeLayer(store, tar, name, m.layers().get(i), diffId);
          }
          layers.add(new JsonString(name));
          last = dir;
        }
        var entry = JsonObject.builder().put("Config", configName);
        var tags = new ArrayList<dev.jbuild.layercache.json.Json>();
        if (image.name() != null) {
          ImageReference ref = ImageReference.parse(image.name());
          String repo = ref.familiarName();
          String tag = ref.tag() == null ? "latest" : ref.tag();
          tags.add(new JsonString(repo + ":" + tag));
          if (last != null) {
            repositories.computeIfAbsent(repo, k -> new LinkedHashMap<>()).put(tag, last);
          }
        }
        entry.put("RepoTags", new JsonArray(tags));
        entry.put("Layers", new JsonArray(layers));
        manifestJson.add(entry.build());
      }
      tar.bytes("manifest.json", new JsonArray(manifestJson).toBytes());
      var repos = JsonObject.builder();
      repositories.forEach(
          (repo, tags) -> {
            var t = JsonObject.builder();
            tags.forEach(t::put);
            repos.put(repo, t.build());
          });
      tar.bytes("repositories", repos.build().toBytes());
    }
  }

  private static void writeLayer(
      Store store, TarOut tar, String name, Descriptor layer, Digest diffId) throws IOException {
    if (store.blobs().has(diffId)) {
      tar.file(name, store.blobs().size(diffId), store.blobs().openVerified(diffId));
      return;
    }
    if (MediaTypes.layerCompression(layer.mediaType()) == MediaTypes.LayerCompression.NONE) {
      tar.file(
          name, store.blobs().size(layer.digest()), store.blobs().openVerified(layer.digest()));
      return;
    }
    Path tmp = store.newTempFile("docker-archive-layer");
    try {
      try (InputStream blob = store.blobs().openVerified(layer.digest());
          InputStream in = Compression.decompressing(blob);
          OutputStream o = Files.newOutputStream(tmp)) {
        in.transferTo(o);
        blob.transferTo(OutputStream.nullOutputStream()); // the rest is verified too
      }
      tar.file(name, tmp);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
