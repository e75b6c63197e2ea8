package dev.jbuild.builder.publish;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.compress.ParallelGzipOutputStream;
import dev.jbuild.layercache.io.NonClosingOutputStream;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.AttestationSubjects;
import dev.jbuild.layercache.store.BlobInfo;
import dev.jbuild.layercache.store.BlobWriter;
import dev.jbuild.layercache.store.ImageStore;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An output's {@code compression}, {@code compression-level}, {@code force-compression} and {@code
 * oci-mediatypes}, applied as buildx's exporters do: the image (or every image of an index) is
 * rewritten in the store with its layers in the asked compression and its media types in the asked
 * family, and the rewritten descriptor is what is exported or pushed. A layer already compressed
 * another way is kept unless {@code force-compression=true} (buildx's rule). Compressed blobs are
 * registered for their diff ID (as a push registers them), so the next export of that layer reuses
 * them, unless forced. The config is unchanged, so the image ID stays the same.
 *
 * @param compression the compression of the layers
 * @param level the level, -1 for the default (gzip 6, zstd 3)
 * @param force recompress layers compressed another way, and compress again rather than reuse
 * @param ociMediaTypes OCI media types (true), Docker's (false), or the image's as stored (empty)
 */
public record LayerCompression(
    Compression compression, int level, boolean force, Optional<Boolean> ociMediaTypes) {

  /** The settings an output's fields give; {@code fallback} when it names no compression. */
  public static LayerCompression of(Map<String, String> attrs, Compression fallback) {
    String c = attrs.get("compression");
    Compression comp =
        c == null
            ? fallback
            : switch (c) {
              case "gzip" -> Compression.GZIP;
              case "zstd" -> Compression.ZSTD;
              case "uncompressed" -> Compression.NONE;
              default -> throw new IllegalArgumentException("compression " + c);
            };
    String lvl = attrs.get("compression-level");
    String oci = attrs.get("oci-mediatypes");
    return new LayerCompression(
        comp,
        lvl == null ? -1 : Integer.parseInt(lvl),
        "true".equals(attrs.get("force-compression")),
        oci == null ? Optional.empty() : Optional.of(Boolean.parseBoolean(oci)));
  }

  /** The image {@code target} (a manifest or an index) with these settings applied. */
  public Descriptor apply(Store store, Descriptor target) throws IOException {
    if (MediaTypes.isIndex(target.mediaType())) {
      ImageIndex index = store.images().index(target.digest());
      if (ociMediaTypes.equals(Optional.of(false))
          && index.manifests().stream()
              .anyMatch(dev.jbuild.layercache.store.ImageStore::isAttestation)) {
        // as BuildKit: attestations need OCI media types, oci-mediatypes=false is overridden
        return new LayerCompression(compression, level, force, Optional.of(true))
            .apply(store, target);
      }
      List<Descriptor> children = new ArrayList<>();
      Map<Digest, Digest> moved = new java.util.HashMap<>();
      for (Descriptor child : index.manifests()) {
        Descriptor out =
            store.blobs().has(child.digest())
                ? apply(store, child)
                    .withPlatform(child.platform())
                    .withAnnotations(child.annotations())
                : child;
        moved.put(child.digest(), out.digest());
        children.add(out);
      }
      // an attestation manifest follows its image's new manifest digest
      for (int i = 0; i < children.size(); i++) {
        if (ImageStore.isAttestation(children.get(i))) {
          children.set(i, AttestationSubjects.follow(store, children.get(i), moved));
        }
      }
      ImageIndex out = index.withManifests(children);
      if (ociMediaTypes.isPresent()) {
        out = ociMediaTypes.get() ? out.toOci() : out.toDocker();
      }
      if (out.equals(index)) {
        return target;
      }
      return store
          .images()
          .putIndex(out)
          .withPlatform(target.platform())
          .withAnnotations(target.annotations());
    }
    ImageManifest m = store.images().manifest(target.digest());
    List<Digest> diffIds = store.images().config(m.config().digest()).diffIds();
    boolean docker = ociMediaTypes.map(o -> !o).orElse(m.isDocker());
    List<Descriptor> layers = new ArrayList<>();
    for (int i = 0; i < m.layers().size(); i++) {
      layers.add(layer(store, m.layers().get(i), diffIds.get(i), docker));
    }
    ImageManifest out = m.withLayers(layers);
    if (ociMediaTypes.isPresent()) {
      out = ociMediaTypes.get() ? out.toOci() : out.toDocker();
    }
    if (out.equals(m)) {
      return target;
    }
    return store
        .images()
        .putManifest(out)
        .withPlatform(target.platform())
        .withAnnotations(target.annotations());
  }

  private Descriptor layer(Store store, Descriptor layer, Digest diffId, boolean docker)
      throws IOException {
    if (MediaTypes.isNonDistributable(layer.mediaType())
        || !MediaTypes.isLayer(layer.mediaType())) {
      return layer; // foreign layers, and an attestation's statements, are kept as they are
    }
    MediaTypes.LayerCompression current = MediaTypes.layerCompression(layer.mediaType());
    MediaTypes.LayerCompression wanted = wanted();
    if (current == wanted || (current != MediaTypes.LayerCompression.NONE && !force)) {
      return layer;
    }
    String type = docker ? MediaTypes.dockerLayer(wanted) : MediaTypes.ociLayer(wanted);
    if (!force) {
      for (Descriptor d : store.layers().blobsFor(diffId)) {
        if (MediaTypes.layerCompression(d.mediaType()) == wanted) {
          return Descriptor.of(type, d.digest(), d.size());
        }
      }
    }
    BlobInfo info;
    try (BlobWriter w = store.blobs().newWriter();
        InputStream blob = store.blobs().openVerified(layer.digest())) {
      InputStream in =
          current.equals(MediaTypes.LayerCompression.NONE) ? blob : Compression.decompressing(blob);
      try (OutputStream z =
          compression.compress(
              new NonClosingOutputStream(w), level, Runtime.getRuntime().availableProcessors())) {
        if (z instanceof ParallelGzipOutputStream gz) {
          gz.transferFrom(in);
        } else {
          in.transferTo(z);
        }
      }
      blob.transferTo(OutputStream.nullOutputStream()); // the rest is verified too
      info = wanted == MediaTypes.LayerCompression.NONE ? w.commit(diffId) : w.commit();
    }
    Descriptor out = Descriptor.of(type, info.digest(), info.size());
    store.layers().register(diffId, out);
    return out;
  }

  private MediaTypes.LayerCompression wanted() {
    return switch (compression) {
      case GZIP -> MediaTypes.LayerCompression.GZIP;
      case ZSTD -> MediaTypes.LayerCompression.ZSTD;
      default -> MediaTypes.LayerCompression.NONE;
    };
  }
}
