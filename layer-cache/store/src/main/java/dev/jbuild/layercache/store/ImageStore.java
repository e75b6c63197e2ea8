package dev.jbuild.layercache.store;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Manifests, configs and tags. Tags live in the layout's {@code index.json}: an entry whose {@code
 * org.opencontainers.image.ref.name} annotation is the name as the user typed it ({@code app:1}),
 * so {@code skopeo inspect oci:ROOT:app:1} finds it. Lookups normalise through {@link
 * ImageReference}, so {@code busybox}, {@code busybox:latest} and {@code
 * docker.io/library/busybox:latest} are one tag.
 *
 * <p>Dangling images (Docker's {@code <none>}): when a tag moves to another image and no other tag
 * names the old one, the old manifest stays in index.json as an entry without a ref-name annotation
 * (skopeo and umoci ignore those). Untagged build results are recorded the same way. {@code prune}
 * removes them; {@code untag} of the last tag drops the manifest from the index (like {@code docker
 * rmi}).
 *
 * <p>index.json is rewritten via temp file and atomic rename while holding the index lock
 * (in-process and {@code <root>/index.lock} across processes); readers never lock and never see a
 * partial file.
 */
public final class ImageStore {
  private final Path indexFile;
  private final BlobStore blobs;
  private final RootLocks locks;
  private final TempSpace temp;

  ImageStore(Path indexFile, BlobStore blobs, RootLocks locks, TempSpace temp) {
    this.indexFile = indexFile;
    this.blobs = blobs;
    this.locks = locks;
    this.temp = temp;
  }

  // ---- documents -------------------------------------------------------------------------------

  /** Stores a manifest; returns its descriptor (no annotations). */
  public Descriptor putManifest(ImageManifest manifest) throws IOException {
    return blobs.put(manifest.toBytes()).toDescriptor(manifest.effectiveMediaType());
  }

  public Descriptor putIndex(ImageIndex index) throws IOException {
    return blobs.put(index.toBytes()).toDescriptor(index.effectiveMediaType());
  }

  /** Stores a config; returns its descriptor (OCI config media type). */
  public Descriptor putConfig(ImageConfig config) throws IOException {
    return blobs.put(config.toBytes()).toDescriptor(MediaTypes.OCI_CONFIG);
  }

  public ImageManifest manifest(Digest digest) throws IOException {
    return parse("manifest", digest, () -> ImageManifest.parse(blobs.read(digest)));
  }

  public ImageIndex index(Digest digest) throws IOException {
    return parse("index", digest, () -> ImageIndex.parse(blobs.read(digest)));
  }

  public ImageConfig config(Digest digest) throws IOException {
    return parse("config", digest, () -> ImageConfig.parse(blobs.read(digest)));
  }

  /**
   * Whether the image manifest {@code manifest}, its config and all its layers are in the store (a
   * pull may have stopped half way, or a prune removed what no name kept); false as well when the
   * manifest cannot be read.
   */
  public boolean complete(Descriptor manifest) {
    try {
      if (!blobs.has(manifest.digest())) {
        return false;
      }
      ImageManifest m = manifest(manifest.digest());
      if (!blobs.has(m.config().digest())) {
        return false;
      }
      for (Descriptor l : m.layers()) {
        if (!blobs.has(l.digest())) {
          return false;
        }
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * The image a descriptor names: a manifest, or an index (then the manifest for {@code platform},
   * which must be in the store).
   */
  public Image image(Descriptor descriptor, Platform platform) throws IOException {
    Descriptor d = descriptor;
    if (MediaTypes.isIndex(d.mediaType())) {
      ImageIndex idx = index(d.digest());
      Descriptor chosen =
          idx.select(platform)
              .orElseThrow(
                  () ->
                      new NoSuchFileException(
                          "image index "
                              + descriptor.digest()
                              + " has no image for platform "
                              + platform
                              + " (it has: "
                              + (idx.platformNames().isEmpty()
                                  ? "none"
                                  : String.join(", ", idx.platformNames()))
                              + ")"));
      d = chosen;
    }
    ImageManifest m = manifest(d.digest());
    return new Image(d, m, config(m.config().digest()));
  }

  /**
   * The images of an index (nested indexes followed, at most {@link ImageIndex#MAX_DEPTH} deep),
   * each with its entry descriptor (platform included) as {@link Image#manifestDescriptor()}, in
   * index order; entries the store lacks, entries that are not images, and BuildKit's attestation
   * manifests (annotated {@code vnd.docker.reference.type=attestation-manifest}: image manifests of
   * platform unknown/unknown whose layers are in-toto statements) are skipped.
   */
  public List<Image> images(Descriptor index) throws IOException {
    List<Image> out = new ArrayList<>();
    collect(index, 1, out);
    return out;
  }

  private void collect(Descriptor index, int depth, List<Image> out) throws IOException {
    ImageIndex idx;
    try {
      idx = index(index.digest()).checkBounds("index " + index.digest(), depth);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    for (Descriptor d : idx.manifests()) {
      if (!blobs.has(d.digest()) || isAttestation(d)) {
        continue;
      }
      if (MediaTypes.isIndex(d.mediaType())) {
        collect(d, depth + 1, out);
      } else if (MediaTypes.isManifest(d.mediaType())) {
        ImageManifest m = manifest(d.digest());
        if (MediaTypes.isConfig(m.config().mediaType()) && blobs.has(m.config().digest())) {
          out.add(new Image(d.withAnnotations(null), m, config(m.config().digest())));
        }
      }
    }
  }

  /** Whether an index entry is a BuildKit attestation manifest (not a runnable image). */
  public static boolean isAttestation(Descriptor d) {
    return d.annotations() != null
        && "attestation-manifest".equals(d.annotations().get("vnd.docker.reference.type"));
  }

  /** {@link #image(Descriptor, Platform)} for the host platform. */
  public Image image(Descriptor descriptor) throws IOException {
    return image(descriptor, Platform.host());
  }

  // ---- index.json ------------------------------------------------------------------------------

  /** All index.json entries (tagged ones have a ref-name annotation), in file order. */
  public List<Descriptor> list() throws IOException {
    return readIndex().manifests();
  }

  /** Entries with a tag. */
  public List<Descriptor> tagged() throws IOException {
    return list().stream().filter(d -> d.refName() != null).toList();
  }

  /** Entries without a tag (dangling images). */
  public List<Descriptor> dangling() throws IOException {
    return list().stream().filter(d -> d.refName() == null).toList();
  }

  /**
   * Finds a tag: the exact ref name, else the first entry whose name normalises to the same
   * reference. {@code name@sha256:...} finds the entry of that manifest digest.
   */
  public Optional<Descriptor> resolve(String name) throws IOException {
    List<Descriptor> entries = list();
    for (Descriptor d : entries) {
      if (name.equals(d.refName())) {
        return Optional.of(d);
      }
    }
    ImageReference ref = parseName(name);
    if (ref == null) {
      return Optional.empty();
    }
    for (Descriptor d : entries) {
      if (ref.digest() != null) {
        if (d.digest().equals(ref.digest())) {
          return Optional.of(d);
        }
      } else if (d.refName() != null && ref.equals(parseName(d.refName()))) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /** Tags of the entries that point at {@code manifestDigest}. */
  public List<String> tagsOf(Digest manifestDigest) throws IOException {
    return list().stream()
        .filter(d -> d.digest().equals(manifestDigest) && d.refName() != null)
        .map(Descriptor::refName)
        .toList();
  }

  /**
   * Points {@code name} at {@code target} (its annotations are replaced by the ref name). The image
   * the name pointed at before becomes dangling unless another tag names it.
   */
  public void tag(String name, Descriptor target) throws IOException {
    ImageReference ref = ImageReference.parse(name);
    if (ref.digest() != null) {
      throw new IllegalArgumentException("cannot tag with a digest: " + name);
    }
    Descriptor entry =
        target.withAnnotations(null).withAnnotation(MediaTypes.ANNOTATION_REF_NAME, name);
    update(
        entries -> {
          List<Descriptor> out = new ArrayList<>();
          Set<Descriptor> moved = new LinkedHashSet<>();
          boolean placed = false;
          for (Descriptor d : entries) {
            boolean sameName = d.refName() != null && sameTag(ref, name, d.refName());
            if (sameName) {
              moved.add(untagged(d));
              if (!placed) {
                out.add(entry);
                placed = true;
              }
            } else if (d.refName() == null && d.digest().equals(target.digest())) {
              // the image is dangling no more
            } else {
              out.add(d);
            }
          }
          if (!placed) {
            out.add(entry);
          }
          for (Descriptor old : moved) {
            if (out.stream().noneMatch(d -> d.digest().equals(old.digest()))) {
              out.add(old);
            }
          }
          return out;
        });
  }

  /** Records an image without a tag (a build without -t); a no-op when the index has it. */
  public void addUntagged(Descriptor target) throws IOException {
    Descriptor entry = untagged(target);
    update(
        entries -> {
          if (entries.stream().anyMatch(d -> d.digest().equals(target.digest()))) {
            return entries;
          }
          List<Descriptor> out = new ArrayList<>(entries);
          out.add(entry);
          return out;
        });
  }

  /**
   * Removes a tag; when no other tag names the image, the image leaves the index too. Returns the
   * entry that was removed.
   */
  public Optional<Descriptor> untag(String name) throws IOException {
    ImageReference ref = parseName(name);
    List<Descriptor> removed = new ArrayList<>();
    update(
        entries -> {
          List<Descriptor> out = new ArrayList<>();
          for (Descriptor d : entries) {
            if (d.refName() != null
                && removed.isEmpty()
                && (name.equals(d.refName()) || (ref != null && sameTag(ref, name, d.refName())))) {
              removed.add(d);
            } else {
              out.add(d);
            }
          }
          if (!removed.isEmpty()) {
            Digest digest = removed.get(0).digest();
            boolean stillTagged =
                out.stream().anyMatch(d -> d.digest().equals(digest) && d.refName() != null);
            if (!stillTagged) {
              out.removeIf(d -> d.digest().equals(digest));
            }
          }
          return out;
        });
    return removed.stream().findFirst();
  }

  /** Removes every entry (tags and dangling) of a manifest digest; returns how many. */
  public int remove(Digest manifestDigest) throws IOException {
    int[] count = {0};
    update(
        entries -> {
          List<Descriptor> out = new ArrayList<>(entries);
          int before = out.size();
          out.removeIf(d -> d.digest().equals(manifestDigest));
          count[0] = before - out.size();
          return out;
        });
    return count[0];
  }

  /** Rewrites the entry list atomically under the index lock. */
  public void update(UnaryOperator<List<Descriptor>> edit) throws IOException {
    locks.withIndexLock(
        () -> {
          ImageIndex current = readIndex();
          List<Descriptor> next = edit.apply(new ArrayList<>(current.manifests()));
          if (!next.equals(current.manifests())) {
            AtomicFiles.write(indexFile, current.withManifests(next).toBytes(), temp.dir());
          }
          return null;
        });
  }

  /** Reads index.json (an empty index when absent). */
  ImageIndex readIndex() throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(indexFile);
    } catch (NoSuchFileException e) {
      return ImageIndex.of(List.of());
    }
    try {
      return ImageIndex.fromJson(Json.parseObject(bytes));
    } catch (IllegalArgumentException e) {
      throw new IOException(indexFile + ": " + e.getMessage(), e);
    }
  }

  private static Descriptor untagged(Descriptor d) {
    Descriptor out = d.withoutAnnotation(MediaTypes.ANNOTATION_REF_NAME);
    return out.withoutAnnotation(MediaTypes.ANNOTATION_CONTAINERD_NAME);
  }

  private static boolean sameTag(ImageReference ref, String name, String refName) {
    if (name.equals(refName)) {
      return true;
    }
    ImageReference other = parseName(refName);
    return other != null && other.equals(ref);
  }

  private static ImageReference parseName(String name) {
    try {
      return ImageReference.parse(name);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private interface Parser<T> {
    T parse() throws IOException;
  }

  private <T> T parse(String what, Digest digest, Parser<T> p) throws IOException {
    try {
      return p.parse();
    } catch (IllegalArgumentException e) {
      throw new IOException(what + " " + digest + " is malformed: " + e.getMessage(), e);
    }
  }
}
