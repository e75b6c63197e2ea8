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
 * included once, as stored (layers usually uncompressed). Names go in {@code
 * io.containerd.image.name} (the full reference) and {@code org.opencontainers.image.ref.name} (the
 * tag), as Docker and containerd write them.
 */
public final class OciArchive {
  private OciArchive() {}

  public static void write(Store store, List<TaggedImage> images, OutputStream out)
      throws IOException {
    try (TarOut tar = new TarOut(out)) {
      tar.text("oci-layout", "{\"imageLayoutVersion\":\"" + MediaTypes.OCI_LAYOUT_VERSION + "\"}");
      tar.dir("blobs");
      tar.dir("blobs/sha256");
      List<Descriptor> entries = new ArrayList<>();
      for (TaggedImage image : images) {
        Descriptor d = image.manifest().withAnnotations(null);
        writeTree(store, tar, d);
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

  /** A manifest or index and everything it points at. */
  static void writeTree(Store store, TarOut tar, Descriptor d) throws IOException {
    blob(store, tar, d.digest());
    if (MediaTypes.isIndex(d.mediaType())) {
      for (Descriptor child : store.images().index(d.digest()).manifests()) {
        if (store.blobs().has(child.digest())) {
          writeTree(store, tar, child);
        }
      }
      return;
    }
    ImageManifest m = store.images().manifest(d.digest());
    blob(store, tar, m.config().digest());
    for (Descriptor layer : m.layers()) {
      if (MediaTypes.isNonDistributable(layer.mediaType()) && !store.blobs().has(layer.digest())) {
        continue;
      }
      blob(store, tar, layer.digest());
    }
  }

  private static void blob(Store store, TarOut tar, Digest digest) throws IOException {
    String name = "blobs/" + digest.algorithm() + "/" + digest.hex();
    if (!tar.has(name)) {
      tar.file(name, store.blobs().path(digest));
    }
  }
}
