package dev.jbuild.layercache.archive;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.compress.ParallelGzipOutputStream;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.MediaTypes.LayerCompression;
import dev.jbuild.layercache.registry.PushOptions;
import dev.jbuild.layercache.store.AtomicFiles;
import dev.jbuild.layercache.store.BlobInfo;
import dev.jbuild.layercache.store.BlobWriter;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The local cache ({@code --cache-to type=local,dest=DIR}, {@code --cache-from
 * type=local,src=DIR}): an OCI image layout directory as BuildKit writes one ({@code oci-layout},
 * {@code index.json}, {@code blobs/sha256/...}) whose {@code index.json} names the jbuild cache
 * manifest (the registry cache's format, see the README) by the tag {@code latest}. Layers are
 * written compressed as asked (gzip by default, as BuildKit). The directory's contents are
 * untrusted when read back ({@link OciLayoutDir}): blobs are opened by digest only, never through a
 * symlink (anywhere below the directory), sizes bounded and content verified.
 */
public final class LocalCache {
  /** The tag index.json names the cache by (BuildKit's default). */
  public static final String TAG = "latest";

  private final Store store;

  public LocalCache(Store store) {
    this.store = store;
  }

  /**
   * Writes {@code records} into the layout at {@code dir} (created if needed; blobs already there
   * are kept, index.json is replaced atomically). Returns the digest index.json names.
   *
   * @param imageManifest name the cache manifest itself, else an image index holding it
   */
  public Digest export(
      Map<String, CacheRecord> records, Path dir, PushOptions options, boolean imageManifest)
      throws IOException {
    Map<String, CacheRecord> out = new LinkedHashMap<>();
    Map<Digest, Descriptor> compressed = new LinkedHashMap<>();
    for (var e : records.entrySet()) {
      List<CacheRecord.Layer> layers = new java.util.ArrayList<>();
      for (CacheRecord.Layer l : e.getValue().layers()) {
        Descriptor blob = compressed.get(l.diffId());
        if (blob == null) {
          blob = compressed(l, options);
          compressed.put(l.diffId(), blob);
        }
        layers.add(new CacheRecord.Layer(blob, l.diffId()));
      }
      CacheRecord r = e.getValue();
      out.put(
          e.getKey(), new CacheRecord(layers, r.configChange(), r.history(), r.created(), r.why()));
    }
    ImageManifest manifest = RegistryCache.manifest(store, out);
    Files.createDirectories(dir.resolve("blobs").resolve("sha256"));
    copyBlob(manifest.config().digest(), dir);
    for (Descriptor l : manifest.layers()) {
      copyBlob(l.digest(), dir);
    }
    Descriptor top = store.images().putManifest(manifest);
    copyBlob(top.digest(), dir);
    if (!imageManifest) {
      top = store.images().putIndex(ImageIndex.of(List.of(top)).toOci());
      copyBlob(top.digest(), dir);
    }
    AtomicFiles.write(
        dir.resolve("oci-layout"),
        ("{\"imageLayoutVersion\":\"" + MediaTypes.OCI_LAYOUT_VERSION + "\"}")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII),
        AtomicFiles.Options.DEFAULT.withMode(0644));
    ImageIndex index =
        ImageIndex.of(
            List.of(top.withAnnotations(null).withAnnotation(MediaTypes.ANNOTATION_REF_NAME, TAG)));
    AtomicFiles.write(
        dir.resolve("index.json"), index.toBytes(), AtomicFiles.Options.DEFAULT.withMode(0644));
    return top.digest();
  }

  /** The layer's blob in the wanted compression, compressed into the store when it is not yet. */
  private Descriptor compressed(CacheRecord.Layer l, PushOptions options) throws IOException {
    Descriptor blob = l.blob().withAnnotations(null).withPlatform(null);
    if (MediaTypes.layerCompression(blob.mediaType()) != LayerCompression.NONE
        || options.compression() == Compression.NONE) {
      return blob;
    }
    LayerCompression wanted =
        options.compression() == Compression.ZSTD ? LayerCompression.ZSTD : LayerCompression.GZIP;
    String mediaType = MediaTypes.ociLayer(wanted);
    Optional<Descriptor> known =
        store.layers().blobsFor(l.diffId()).stream()
            .filter(
                d ->
                    MediaTypes.isLayer(d.mediaType())
                        && MediaTypes.layerCompression(d.mediaType()) == wanted
                        && store.blobs().has(d.digest()))
            .findFirst();
    if (known.isPresent()) {
      return Descriptor.of(mediaType, known.get().digest(), known.get().size());
    }
    BlobInfo info;
    try (BlobWriter w = store.blobs().newWriter()) {
      try (InputStream in = store.blobs().openVerified(blob.digest());
          OutputStream z =
              options
                  .compression()
                  .compress(
                      new dev.jbuild.layercache.io.NonClosingOutputStream(w),
                      options.effectiveLevel(),
                      options.threads())) {
        if (z instanceof ParallelGzipOutputStream gz) {
          gz.transferFrom(in);
        } else {
          in.transferTo(z);
        }
      }
      info = w.commit();
    }
    Descriptor d = Descriptor.of(mediaType, info.digest(), info.size());
    store.layers().register(l.diffId(), d);
    return d;
  }

  /** Copies a store blob into the layout (a hard link when the file systems allow). */
  private void copyBlob(Digest digest, Path dir) throws IOException {
    Path target = dir.resolve("blobs").resolve("sha256").resolve(digest.hex());
    if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
        && Files.size(target) == store.blobs().size(digest)) {
      return;
    }
    try (InputStream in = store.blobs().openVerified(digest)) {
      AtomicFiles.write(
          target, in::transferTo, AtomicFiles.Options.DEFAULT.withMode(0644).withoutFsync());
    }
  }

  /**
   * Imports the cache in the layout at {@code dir}; returns how many records were new.
   *
   * @throws NoSuchFileException when the directory or its index.json does not exist
   */
  public int importFrom(Path dir) throws IOException {
    try (OciLayoutDir layout = OciLayoutDir.open(dir)) {
      ImageIndex index = layout.index();
      Descriptor top = null;
      for (Descriptor d : index.manifests()) {
        if (TAG.equals(d.annotation(MediaTypes.ANNOTATION_REF_NAME))
            || (top == null && index.manifests().size() == 1)) {
          top = d;
        }
      }
      if (top == null) {
        throw new IOException(dir + "/index.json names no cache tagged " + TAG);
      }
      CacheImporter.Source from =
          new CacheImporter.Source() {
            @Override
            public byte[] manifest(Descriptor d) throws IOException {
              return layout.document(d);
            }

            @Override
            public void fetch(List<Descriptor> blobs) throws IOException {
              for (Descriptor b : blobs) {
                layout.copyTo(store, b);
              }
            }

            @Override
            public IOException invalid(String detail) {
              return new IOException("cache " + dir + ": " + detail);
            }
          };
      return new CacheImporter(store, from).importTop(from.manifest(top));
    }
  }
}
