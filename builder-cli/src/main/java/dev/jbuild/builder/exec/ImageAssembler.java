package dev.jbuild.builder.exec;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.util.List;

/** Writes a finished stage into the store as an OCI image (config, manifest) and names it. */
public final class ImageAssembler {
  private ImageAssembler() {}

  /**
   * The stored image with {@code annotations} added to its manifest (a new manifest in the store;
   * the config, so the image ID, unchanged); the image itself when there are none.
   */
  public static Image annotate(Store store, Image image, java.util.Map<String, String> annotations)
      throws IOException {
    if (annotations.isEmpty()) {
      return image;
    }
    ImageManifest m = image.manifest();
    for (var e : annotations.entrySet()) {
      m = m.withAnnotation(e.getKey(), e.getValue());
    }
    return new Image(store.images().putManifest(m), m, image.config());
  }

  /** Names a stored image or index with {@code tags} (untagged without). */
  public static void name(Store store, Descriptor target, List<String> tags) throws IOException {
    if (tags.isEmpty()) {
      store.images().addUntagged(target);
    }
    for (String tag : tags) {
      store.images().tag(tag, target);
    }
  }

  /**
   * Stores the OCI image index of a multi-platform build, one descriptor per image carrying its
   * platform, in the order the platforms were asked for (so two builds of one command give one
   * index digest), and names it with {@code tags} (untagged without); {@code descriptors} are the
   * annotations of each image's entry, {@code annotations} those of the index itself; {@code
   * attestations} (BuildKit's attestation manifests) are listed after the images.
   */
  public static Descriptor writeIndex(
      Store store,
      List<Image> images,
      List<Platform> platforms,
      List<String> tags,
      List<java.util.Map<String, String>> descriptors,
      java.util.Map<String, String> annotations,
      List<Descriptor> attestations)
      throws IOException {
    List<Descriptor> manifests = new java.util.ArrayList<>();
    for (int i = 0; i < images.size(); i++) {
      Descriptor d =
          images.get(i).manifestDescriptor().withAnnotations(null).withPlatform(platforms.get(i));
      if (!descriptors.get(i).isEmpty()) {
        d = d.withAnnotations(descriptors.get(i));
      }
      manifests.add(d);
    }
    manifests.addAll(attestations);
    ImageIndex index = ImageIndex.of(manifests);
    if (!annotations.isEmpty()) {
      index =
          new ImageIndex(
              index.schemaVersion(),
              index.mediaType(),
              index.artifactType(),
              index.manifests(),
              index.subject(),
              annotations,
              index.extra());
    }
    Descriptor stored = store.images().putIndex(index);
    name(store, stored, tags);
    return stored;
  }

  /** Stores the image's config and manifest without naming it (an image of an index). */
  public static Image store(Store store, ImageConfig config, List<CacheRecord.Layer> layers)
      throws IOException {
    if (config.diffIds().size() != layers.size()) {
      throw new IllegalStateException(
          "config has " + config.diffIds().size() + " diff IDs for " + layers.size() + " layers");
    }
    for (int i = 0; i < layers.size(); i++) {
      if (!config.diffIds().get(i).equals(layers.get(i).diffId())) {
        throw new IllegalStateException("diff ID " + i + " does not match its layer");
      }
    }
    List<Descriptor> blobs = layers.stream().map(CacheRecord.Layer::blob).toList();
    // an image in the store has all its blobs: layers a cache hit or a lazily resolved base left
    // remote are fetched now (those of stages the image does not contain never are)
    store.remote().ensure(blobs);
    Descriptor configDesc = store.images().putConfig(config);
    // an OCI manifest holds OCI types only: base layers pulled in Docker's schema are relabelled
    // (the blob bytes are the same), as BuildKit does with oci-mediatypes=true
    ImageManifest manifest = ImageManifest.of(configDesc, blobs).toOci();
    Descriptor manifestDesc = store.images().putManifest(manifest);
    return new Image(manifestDesc, manifest, config);
  }
}
