package dev.jbuild.cli;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageReference;
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

  /** An index.json entry with its image and every tag naming that manifest. */
  record Found(Descriptor entry, Image image, List<String> tags) {}

  /** One row per distinct manifest of the index (tags grouped). Unreadable entries are skipped. */
  List<Found> all() throws IOException {
    Map<Digest, Found> byManifest = new LinkedHashMap<>();
    for (Descriptor d : store.images().list()) {
      Found f = byManifest.get(d.digest());
      if (f == null) {
        Image image;
        try {
          image = store.images().image(d);
        } catch (IOException e) {
          continue; // incomplete (e.g. an index without this platform's manifest)
        }
        f = new Found(d, image, new ArrayList<>());
        byManifest.put(d.digest(), f);
      }
      if (d.refName() != null) {
        f.tags().add(d.refName());
      }
    }
    return List.copyOf(byManifest.values());
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
                    f.image().id().hex().startsWith(prefix)
                        || (prefix.length() == 64 && f.entry().digest().hex().equals(prefix)))
            .toList();
    if (matches.size() > 1 && matches.stream().map(f -> f.image().id()).distinct().count() > 1) {
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
