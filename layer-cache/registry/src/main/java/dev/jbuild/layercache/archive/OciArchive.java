package dev.jbuild.layercache.archive;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an OCI image layout as a tar ({@code oci-archive}, what {@code skopeo copy oci-archive:F}
 * and {@code docker load} of Docker 25 read): {@code oci-layout}, {@code index.json} and {@code
 * blobs/sha256/...}. Every image's manifest (or index with its children), config and layers are
 * included once, as stored (layers usually uncompressed), in OCI media types: a manifest stored in
 * Docker's schema (pulled so) is converted, as BuildKit's {@code oci-mediatypes=true}. Names go in
 * {@code io.containerd.image.name} (the full reference) and {@code
 * org.opencontainers.image.ref.name} (the tag), as Docker and containerd write them.
 */
public final class OciArchive {
  private OciArchive() {}

  public static void write(Store store, List<TaggedImage> images, OutputStream out)
      throws IOException {
    write(store, images, java.util.Map.of(), out);
  }

  /**
   * {@link #write(Store, List, OutputStream)} with {@code annotations} on every entry of {@code
   * index.json} (buildx's {@code index-descriptor} annotations), before the name annotations.
   */
  public static void write(
      Store store,
      List<TaggedImage> images,
      java.util.Map<String, String> annotations,
      OutputStream out)
      throws IOException {
    try (TarOut tar = new TarOut(out)) {
      tar.text("oci-layout", "{\"imageLayoutVersion\":\"" + MediaTypes.OCI_LAYOUT_VERSION + "\"}");
      tar.dir("blobs");
      tar.dir("blobs/sha256");
      List<Descriptor> entries = new ArrayList<>();
      for (TaggedImage image : images) {
        Descriptor d = writeTree(store, tar, image.manifest().withAnnotations(null));
        for (var e : annotations.entrySet()) {
          d = d.withAnnotation(e.getKey(), e.getValue());
        }
        if (image.name() != null) {
          ImageReference ref = ImageReference.parse(image.name());
          d = d.withAnnotation(MediaTypes.ANNOTATION_CONTAINERD_NAME, ref.toString());
          if (ref.tag() != null) {
            d = d.withAnnotation(MediaTypes.ANNOTATION_REF_NAME, ref.tag());
          }
        }
        entries.add(d);
      }
      tar.bytes("index.json", ImageIndex.of(entries).toBytes());
    }
  }

  /**
   * A manifest or index and everything it points at, in OCI media types; returns the descriptor
   * written (the stored one, or a converted manifest's when the stored image is in Docker's schema
   * or mixes the two: an OCI layout holds OCI types only, which umoci requires).
   */
  static Descriptor writeTree(Store store, TarOut tar, Descriptor d) throws IOException {
    if (MediaTypes.isIndex(d.mediaType())) {
      ImageIndex index = store.images().index(d.digest());
      List<Descriptor> children = new ArrayList<>();
      boolean changed = !MediaTypes.OCI_INDEX.equals(index.effectiveMediaType());
      for (Descriptor child : index.manifests()) {
        if (store.blobs().has(child.digest())) {
          Descriptor written = writeTree(store, tar, child);
          changed |= !written.equals(child);
          children.add(written);
        } else {
          Descriptor converted = child.withMediaType(MediaTypes.toOci(child.mediaType()));
          changed |= !converted.equals(child);
          children.add(converted);
        }
      }
      if (!changed) {
        blob(store, tar, d.digest());
        return d;
      }
      return converted(
          tar, d, index.toOci().withManifests(children).toBytes(), MediaTypes.OCI_INDEX);
    }
    ImageManifest m = store.images().manifest(d.digest());
    blob(store, tar, m.config().digest());
    for (Descriptor layer : m.layers()) {
      if (MediaTypes.isNonDistributable(layer.mediaType()) && !store.blobs().has(layer.digest())) {
        continue;
      }
      blob(store, tar, layer.digest());
    }
    if (isOci(m)) {
      blob(store, tar, d.digest());
      return d.withMediaType(MediaTypes.OCI_MANIFEST);
    }
    return converted(tar, d, m.toOci().toBytes(), MediaTypes.OCI_MANIFEST);
  }

  /** Every media type of the manifest is already OCI's (or not one Docker has). */
  static boolean isOci(ImageManifest m) {
    if (m.isDocker()) {
      return false;
    }
    if (!java.util.Objects.equals(
        MediaTypes.toOci(m.config().mediaType()), m.config().mediaType())) {
      return false;
    }
    for (Descriptor l : m.layers()) {
      if (!java.util.Objects.equals(MediaTypes.toOci(l.mediaType()), l.mediaType())) {
        return false;
      }
    }
    return true;
  }

  private static Descriptor converted(TarOut tar, Descriptor original, byte[] bytes, String type)
      throws IOException {
    Digest digest = Digest.sha256(bytes);
    String name = "blobs/" + digest.algorithm() + "/" + digest.hex();
    tar.bytes(name, bytes);
    return Descriptor.of(type, digest, bytes.length)
        .withPlatform(original.platform())
        .withAnnotations(original.annotations());
  }

  private static void blob(Store store, TarOut tar, Digest digest) throws IOException {
    String name = "blobs/" + digest.algorithm() + "/" + digest.hex();
    if (!tar.has(name)) {
      tar.file(name, store.blobs().size(digest), store.blobs().openVerified(digest));
    }
  }
}
