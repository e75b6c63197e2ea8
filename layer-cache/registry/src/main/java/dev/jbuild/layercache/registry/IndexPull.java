package dev.jbuild.layercache.registry;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.MediaTypes;
import java.io.IOException;

/**
 * {@link Puller#pullAll} and {@link Puller#fetchAll}: an index and every image (and nested index)
 * it lists, each index held to {@link ImageIndex#MAX_MANIFESTS} entries and {@link
 * ImageIndex#MAX_DEPTH} levels before any of its entries is fetched.
 */
final class IndexPull {
  private final Puller puller;

  /** Entries already fetched by this pull: an index listing one digest many times costs one GET. */
  private final java.util.Set<dev.jbuild.layercache.model.Digest> done = new java.util.HashSet<>();

  IndexPull(Puller puller) {
    this.puller = puller;
  }

  Descriptor fetchAll(ImageReference ref, PullOptions options) throws IOException {
    return puller.firstSource(
        ref, (source, raw) -> pullTree(source, ref.familiarString(), raw, 1, options));
  }

  /** An index and everything below it, or one image; returns what {@code raw} is stored as. */
  private Descriptor pullTree(
      Registries.Source source, String name, RawManifest raw, int depth, PullOptions options)
      throws IOException {
    String type = Puller.detectType(raw);
    if (!MediaTypes.isIndex(type)) {
      return puller.pullImage(source, name, raw, type, true, options);
    }
    ImageIndex index;
    try {
      index = ImageIndex.parse(raw.bytes()).checkBounds(name + "@" + raw.digest(), depth);
    } catch (IllegalArgumentException e) {
      throw RegistryErrors.protocol(source.registry().host(), e.getMessage());
    }
    for (Descriptor child : index.manifests()) {
      if (!done.add(child.digest())) {
        continue;
      }
      if (!MediaTypes.isIndex(child.mediaType()) && !MediaTypes.isManifest(child.mediaType())) {
        throw RegistryErrors.protocol(
            source.registry().host(),
            "index "
                + name
                + "@"
                + raw.digest()
                + " lists "
                + child.digest()
                + " of media type "
                + child.mediaType()
                + ", which is neither an image nor an index");
      }
      RawManifest m =
          source
              .registry()
              .getManifest(source.repository(), child.digest().toString())
              .orElseThrow(
                  () ->
                      RegistryErrors.protocol(
                          source.registry().host(),
                          "index of "
                              + name
                              + " names "
                              + child.digest()
                              + " but the registry does not have it"));
      pullTree(source, name + "@" + child.digest(), m, depth + 1, options);
    }
    puller.storeVerified(raw, options.alwaysPull());
    return Descriptor.of(type, raw.digest(), raw.size());
  }
}
