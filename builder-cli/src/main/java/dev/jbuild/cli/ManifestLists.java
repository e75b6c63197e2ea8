package dev.jbuild.cli;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.registry.Progress;
import dev.jbuild.layercache.registry.PullOptions;
import dev.jbuild.layercache.registry.Puller;
import dev.jbuild.layercache.registry.Registries;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Manifest lists of {@code jbuild manifest}: an OCI image index stored as a blob and tagged in the
 * store like any image (so {@code images}, {@code inspect}, {@code push}, {@code save} and {@code
 * rmi} see it). Every edit stores a new index and moves the tag; the list's ID is its digest.
 */
final class ManifestLists {
  private final Store store;

  ManifestLists(Store store) {
    this.store = store;
  }

  /** A list in the store: its tag entry and its index. */
  record Found(Descriptor entry, ImageIndex index) {
    /** The ID buildah prints: the index digest's hex. */
    String id() {
      return entry.digest().hex();
    }
  }

  Optional<Found> find(String name) throws IOException {
    Optional<Descriptor> d = store.images().resolve(name);
    if (d.isEmpty()) {
      return Optional.empty();
    }
    if (!MediaTypes.isIndex(d.get().mediaType())) {
      throw new UserException(
          ExitCodes.FAILED, name + " is an image, not a manifest list (image index)");
    }
    return Optional.of(new Found(d.get(), store.images().index(d.get().digest())));
  }

  Found get(String name) throws IOException {
    return find(name)
        .orElseThrow(
            () -> new UserException(ExitCodes.NOT_FOUND, "no such manifest list: " + name));
  }

  /** Stores {@code index} and points {@code name} at it. */
  Found save(String name, ImageIndex index) throws IOException {
    try {
      index.checkBounds(name, 1);
    } catch (IllegalArgumentException e) {
      throw new UserException(ExitCodes.FAILED, e.getMessage(), e);
    }
    Optional<Descriptor> before = store.images().resolve(name);
    Descriptor d = store.images().putIndex(index);
    store.images().tag(name, d);
    if (before.isPresent() && !before.get().digest().equals(d.digest())) {
      // an edited list replaces its old version: no dangling <none> left behind (prune frees it)
      Digest old = before.get().digest();
      store
          .images()
          .update(
              entries -> {
                List<Descriptor> out = new ArrayList<>(entries);
                out.removeIf(e -> e.refName() == null && e.digest().equals(old));
                return out;
              });
    }
    return new Found(d, index);
  }

  /** How an image is added: platform overrides and whether every image of an index goes in. */
  record AddOptions(boolean all, Platform platform, String os, String arch, String variant) {
    /** The platform recorded for an image whose own platform is {@code own}. */
    Platform recorded(Platform own) {
      Platform p = platform != null ? platform : own;
      if (p == null && os == null && arch == null) {
        return null;
      }
      String o = os != null ? os : p != null ? p.os() : "linux";
      String a =
          arch != null ? arch : p != null ? p.architecture() : Platform.host().architecture();
      String v = variant != null ? variant : p != null ? p.variant() : null;
      return new Platform(o, a, v).normalize();
    }

    /** The platform to pick out of an index (without --all). */
    Platform wanted() {
      Platform base = platform != null ? platform : Platform.host();
      if (os == null && arch == null && variant == null) {
        return base;
      }
      return new Platform(
              os != null ? os : base.os(),
              arch != null ? arch : base.architecture(),
              variant != null ? variant : (arch != null ? null : base.variant()))
          .normalize();
    }
  }

  /**
   * The entries {@code image} adds: an image in the store, else a registry reference (fetched into
   * the store untagged: the list keeps it alive). An index adds its image for the wanted platform,
   * or with {@code all} every entry.
   */
  List<Descriptor> entriesFor(String image, AddOptions options, Registries registries)
      throws IOException {
    Optional<ImageFinder.Found> local = new ImageFinder(store).tryFind(image);
    List<Descriptor> out = new ArrayList<>();
    if (local.isPresent()) {
      ImageFinder.Found f = local.get();
      if (!f.isIndex()) {
        out.add(entry(f.entry(), f.image(), options));
      } else if (options.all()) {
        for (Image i : f.platforms()) {
          out.add(entry(i.manifestDescriptor(), i, options));
        }
      } else {
        Image i = f.imageFor(options.wanted(), image);
        out.add(entry(i.manifestDescriptor(), i, options));
      }
      return out;
    }
    ImageReference ref = RegistryCli.parseReference(image);
    Puller puller = new Puller(store, registries, Progress.none());
    PullOptions pull = PullOptions.defaults();
    if (options.all()) {
      Descriptor top = puller.fetchAll(ref, pull);
      if (MediaTypes.isIndex(top.mediaType())) {
        for (Descriptor child : store.images().index(top.digest()).manifests()) {
          out.add(child.withPlatform(options.recorded(child.platform())));
        }
        return out;
      }
      Image i = store.images().image(top);
      out.add(entry(top, i, options));
      return out;
    }
    Descriptor d = puller.fetch(ref, options.wanted(), pull);
    out.add(entry(d, store.images().image(d.withPlatform(null)), options));
    return out;
  }

  private static Descriptor entry(Descriptor manifest, Image image, AddOptions options) {
    Platform own = manifest.platform() != null ? manifest.platform() : image.config().platform();
    return Descriptor.of(manifest.mediaType(), manifest.digest(), manifest.size())
        .withPlatform(options.recorded(own));
  }

  /** {@code index} with {@code added} (an entry of the same digest is replaced in place). */
  static ImageIndex with(ImageIndex index, List<Descriptor> added) {
    List<Descriptor> out = new ArrayList<>(index.manifests());
    for (Descriptor d : added) {
      int at = -1;
      for (int i = 0; i < out.size(); i++) {
        if (out.get(i).digest().equals(d.digest())) {
          at = i;
          break;
        }
      }
      if (at >= 0) {
        out.set(at, d);
      } else {
        out.add(d);
      }
    }
    return index.withManifests(out);
  }
}
