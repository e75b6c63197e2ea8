package dev.jbuild.cli;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.DigestMismatchException;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Finds images in the store the way Docker does: by name (normalised: {@code busybox} is {@code
 * docker.io/library/busybox:latest}), by {@code name@digest}, by manifest digest, or by image ID
 * (the config digest, full or any unambiguous prefix, with or without {@code sha256:}).
 */
final class ImageFinder {
  private final Store store;

  ImageFinder(Store store) {
    this.store = store;
  }

  /**
   * An index.json entry with its image and every tag naming that manifest. For an image index,
   * {@code platforms} are its images in the store (index order) and {@code image} is the host's
   * among them, else the first, else null (an empty manifest list).
   */
  record Found(Descriptor entry, Image image, List<String> tags, List<Image> platforms) {
    boolean isIndex() {
      return MediaTypes.isIndex(entry.mediaType());
    }

    /**
     * The ID shown: the image's (config digest), or an index's own digest (as docker and podman).
     */
    Digest id() {
      return isIndex() ? entry.digest() : image.id();
    }

    /** {@code linux/amd64, linux/arm64} of an index; the image's own platform otherwise. */
    List<String> platformNames() {
      if (!isIndex()) {
        var p = image.config().platform();
        return p == null ? List.of() : List.of(p.toString());
      }
      return platforms.stream()
          .map(Image::platform)
          .filter(java.util.Objects::nonNull)
          .map(Platform::toString)
          .filter(p -> !p.equals("unknown/unknown"))
          .distinct()
          .toList();
    }

    /** Total size: the image's, or every distinct blob of an index's images. */
    long size() {
      if (!isIndex()) {
        return image.size();
      }
      Map<Digest, Long> blobs = new LinkedHashMap<>();
      for (Image i : platforms) {
        blobs.put(i.manifest().config().digest(), i.manifest().config().size());
        i.manifest().layers().forEach(l -> blobs.put(l.digest(), l.size()));
      }
      return blobs.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The image to run, export or inspect for {@code wanted} (null: the host's, or the single
     * image); an index without it is a NOT_FOUND error naming the platforms it has.
     */
    Image imageFor(Platform wanted, String name) {
      if (!isIndex()) {
        Platform own = image.config().platform();
        if (wanted != null && own != null && !own.matches(wanted)) {
          throw new UserException(
              ExitCodes.NOT_FOUND, "image " + name + " is for " + own + ", not " + wanted);
        }
        return image;
      }
      Platform p = wanted != null ? wanted : Platform.host();
      Image exact = null;
      Image sameArch = null;
      for (Image i : platforms) {
        Platform ip = i.platform();
        if (ip == null) {
          continue;
        }
        if (exact == null && ip.matches(p)) {
          exact = i;
        }
        Platform n = ip.normalize();
        Platform w = p.normalize();
        if (sameArch == null
            && w.variant() == null
            && n.os().equals(w.os())
            && n.architecture().equals(w.architecture())) {
          sameArch = i;
        }
      }
      Image chosen = exact != null ? exact : sameArch;
      if (chosen == null) {
        List<String> have = platformNames();
        throw new UserException(
            ExitCodes.NOT_FOUND,
            "image "
                + name
                + " has no image for platform "
                + p
                + " (it has: "
                + (have.isEmpty() ? "none" : String.join(", ", have))
                + "): choose one with --platform");
      }
      return chosen;
    }
  }

  /** One row per distinct manifest of the index (tags grouped). Unreadable entries are skipped. */
  List<Found> all() throws IOException {
    Map<Digest, Found> byManifest = new LinkedHashMap<>();
    for (Descriptor d : store.images().list()) {
      Found f = byManifest.get(d.digest());
      if (f == null) {
        f = load(d);
        if (f == null) {
          continue; // incomplete or unreadable
        }
        byManifest.put(d.digest(), f);
      }
      if (d.refName() != null) {
        f.tags().add(d.refName());
      }
    }
    return List.copyOf(byManifest.values());
  }

  /** The entry's image, or its index's images; null when the store cannot read it. */
  private Found load(Descriptor d) throws IOException {
    Descriptor plain = d.withAnnotations(null);
    if (!MediaTypes.isIndex(d.mediaType())) {
      try {
        return new Found(d, store.images().image(plain), new ArrayList<>(), List.of());
      } catch (IOException e) {
        return null;
      }
    }
    List<Image> images;
    try {
      images = store.images().images(plain);
    } catch (DigestMismatchException e) {
      throw e;
    } catch (IOException e) {
      return null;
    }
    Image chosen = null;
    Platform host = Platform.host();
    for (Image i : images) {
      if (i.platform() != null && i.platform().matches(host)) {
        chosen = i;
        break;
      }
    }
    if (chosen == null && !images.isEmpty()) {
      chosen = images.getFirst();
    }
    return new Found(d, chosen, new ArrayList<>(), List.copyOf(images));
  }

  /** Finds one image or throws a NOT_FOUND user error. */
  Found find(String nameOrId) throws IOException {
    return tryFind(nameOrId)
        .orElseThrow(() -> new UserException(ExitCodes.NOT_FOUND, "no such image: " + nameOrId));
  }

  Optional<Found> tryFind(String nameOrId) throws IOException {
    Optional<Descriptor> byName = store.images().resolve(nameOrId);
    List<Found> all = all();
    if (byName.isPresent()) {
      Digest m = byName.get().digest();
      Optional<Found> found = all.stream().filter(f -> f.entry().digest().equals(m)).findFirst();
      if (found.isEmpty()) {
        try {
          store.images().image(byName.get());
        } catch (DigestMismatchException e) {
          // named, but its manifest or config in the store does not verify: say so
          throw new UserException(ExitCodes.FAILED, "image " + nameOrId + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
          // not of this platform, incomplete: not found
        }
      }
      return found;
    }
    String id = nameOrId.toLowerCase(Locale.ROOT);
    if (id.startsWith("sha256:")) {
      id = id.substring(7);
    }
    if (!id.matches("[0-9a-f]{1,64}")) {
      return Optional.empty();
    }
    String prefix = id;
    List<Found> matches =
        all.stream()
            .filter(
                f ->
                    f.id().hex().startsWith(prefix)
                        || (prefix.length() == 64 && f.entry().digest().hex().equals(prefix)))
            .toList();
    if (matches.size() > 1 && matches.stream().map(Found::id).distinct().count() > 1) {
      throw new UserException(
          ExitCodes.USAGE, "image ID prefix " + nameOrId + " is ambiguous: use more characters");
    }
    return matches.stream().findFirst();
  }

  /** REPOSITORY and TAG of a ref name as Docker shows them. */
  static String[] repoAndTag(String refName) {
    if (refName == null) {
      return new String[] {"<none>", "<none>"};
    }
    try {
      ImageReference r = ImageReference.parse(refName);
      return new String[] {r.familiarName(), r.tag() == null ? "<none>" : r.tag()};
    } catch (IllegalArgumentException e) {
      return new String[] {refName, "<none>"};
    }
  }

  /** {@code app:1} for a ref name (familiar form), or the ref name itself when unparseable. */
  static String familiar(String refName) {
    try {
      return ImageReference.parse(refName).familiarString();
    } catch (IllegalArgumentException e) {
      return refName;
    }
  }
}
