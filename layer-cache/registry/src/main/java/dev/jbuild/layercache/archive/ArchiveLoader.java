package dev.jbuild.layercache.archive;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.store.BlobInfo;
import dev.jbuild.layercache.store.BlobStore;
import dev.jbuild.layercache.store.BlobWriter;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.TarNames;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Loads an OCI archive or a {@code docker save} archive (plain or compressed) into a store, in one
 * streaming pass: blobs go straight into verifying blob writers, small JSON documents are kept in
 * memory, and only when the whole archive was read are manifests stored, layer diffIds registered
 * and names tagged. A broken archive therefore tags nothing.
 */
public final class ArchiveLoader {
  /** index.json, manifest.json, repositories, and every manifest or index blob: at most 4 MiB. */
  public static final long MAX_METADATA = 4L << 20;

  /** oci-layout: a one-line document. */
  public static final long MAX_LAYOUT = 64L << 10;

  /** An image config (as pulled: {@link BlobStore#MAX_READ}). */
  public static final long MAX_CONFIG = BlobStore.MAX_READ;

  /** The documents kept in memory while the archive streams, with their limits. */
  private static final Map<String, Long> KEPT =
      Map.of(
          "oci-layout", MAX_LAYOUT,
          "index.json", MAX_METADATA,
          "manifest.json", MAX_METADATA,
          "repositories", MAX_METADATA);

  private ArchiveLoader() {}

  /** Loads {@code archive}; returns the images it held with the names they were tagged with. */
  public static List<TaggedImage> load(Store store, Path archive) throws IOException {
    try (InputStream in = Files.newInputStream(archive)) {
      return load(store, in, archive.toString());
    }
  }

  public static List<TaggedImage> load(Store store, InputStream raw, String what)
      throws IOException {
    Map<String, byte[]> documents = new HashMap<>();
    Map<String, BlobInfo> files = new HashMap<>(); // docker layer files -> stored blob
    Map<String, String> links = new HashMap<>();
    boolean anyEntry = false;
    try (InputStream in = Compression.decompressing(new BufferedInputStream(raw, 1 << 16));
        TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        anyEntry = true;
        String name = normalize(e.getName());
        if (e.isDirectory()) {
          continue;
        }
        if (e.isSymbolicLink() || e.isLink()) {
          String target = e.getLinkName();
          if (e.isSymbolicLink()) {
            int slash = name.lastIndexOf('/');
            target = normalize((slash < 0 ? "" : name.substring(0, slash + 1)) + target);
          }
          links.put(name, normalize(target));
          continue;
        }
        if (name.startsWith("blobs/")) {
          String[] parts = name.split("/");
          if (parts.length == 3 && Digest.isValid(parts[1] + ":" + parts[2])) {
            Digest expected = Digest.parse(parts[1] + ":" + parts[2]);
            if (!store.blobs().has(expected)) {
              try (BlobWriter w = store.blobs().newWriter()) {
                tar.transferTo(w);
                w.commit(expected);
              } catch (IOException ex) {
                throw new IOException(what + ": " + name + ": " + ex.getMessage(), ex);
              }
            }
            files.put(name, new BlobInfo(expected, e.getSize()));
            continue;
          }
        }
        Long limit = KEPT.get(name);
        if (limit == null) {
          if (name.startsWith("blobs/")) {
            continue; // not a blob name: nothing reads it
          }
          // layers, configs, anything else a manifest.json may name: to disk, never to memory
          try (BlobWriter w = store.blobs().newWriter()) {
            tar.transferTo(w);
            files.put(name, w.commit());
          }
          continue;
        }
        // bounded before it is read: the header's size, then the bytes actually read
        if (e.getSize() > limit) {
          throw tooLarge(what, name, e.getSize(), limit);
        }
        byte[] doc = tar.readNBytes((int) limit.longValue() + 1);
        if (doc.length > limit) {
          throw tooLarge(what, name, doc.length, limit);
        }
        documents.put(name, doc);
      }
    } catch (IOException e) {
      if (!anyEntry) {
        throw new IOException(what + " is not a tar archive: " + e.getMessage(), e);
      }
      throw e;
    }
    try {
      if (documents.containsKey("index.json") && documents.containsKey("oci-layout")) {
        return loadOci(store, documents, what);
      }
      if (documents.containsKey("manifest.json")) {
        return loadDocker(store, documents, files, links, what);
      }
    } catch (IllegalArgumentException e) {
      throw new IOException(what + ": invalid archive: " + e.getMessage(), e);
    }
    throw new IOException(
        what
            + " is neither an OCI archive (oci-layout, index.json) nor a docker archive "
            + "(manifest.json)");
  }

  private static IOException tooLarge(String what, String name, long size, long limit) {
    return new IOException(
        what
            + ": "
            + name
            + " is "
            + size
            + " bytes; jbuild reads at most "
            + (limit >= 1 << 20 ? (limit >> 20) + " MiB" : (limit >> 10) + " KiB")
            + " for it");
  }

  /** A stored manifest, index or config blob of the archive, its size checked before reading. */
  private static void checkSize(Store store, Digest digest, long limit, String what, String kind)
      throws IOException {
    long size = store.blobs().size(digest);
    if (size > limit) {
      throw tooLarge(what, kind + " " + digest, size, limit);
    }
  }

  private static String normalize(String name) {
    return String.join("/", TarNames.components(name));
  }

  private static List<TaggedImage> loadOci(Store store, Map<String, byte[]> docs, String what)
      throws IOException {
    ImageIndex index = ImageIndex.parse(docs.get("index.json"));
    var out = new ArrayList<TaggedImage>();
    for (Descriptor d : index.manifests()) {
      Descriptor plain = d.withAnnotations(null);
      if (!store.blobs().has(d.digest())) {
        throw new IOException(what + ": index.json names " + d.digest() + " but it is missing");
      }
      registerTree(store, plain, what, 1);
      String name = nameOf(d);
      out.add(new TaggedImage(name, plain));
    }
    for (TaggedImage t : out) {
      if (t.name() != null) {
        store.images().tag(t.name(), t.manifest());
      } else {
        store.images().addUntagged(t.manifest());
      }
    }
    return out;
  }

  /** The image name an OCI index entry carries (containerd's full name, else a full ref.name). */
  static String nameOf(Descriptor d) {
    String full = d.annotation(MediaTypes.ANNOTATION_CONTAINERD_NAME);
    if (full != null && ImageReference.isValid(full)) {
      return ImageReference.parse(full).familiarString();
    }
    String ref = d.refName();
    if (ref != null && ref.contains(":") || ref != null && ref.contains("/")) {
      if (ImageReference.isValid(ref)) {
        return ImageReference.parse(ref).familiarString();
      }
    }
    return null;
  }

  private static void registerTree(Store store, Descriptor d, String what, int depth)
      throws IOException {
    checkSize(
        store,
        d.digest(),
        MAX_METADATA,
        what,
        MediaTypes.isIndex(d.mediaType()) ? "index" : "manifest");
    if (MediaTypes.isIndex(d.mediaType())) {
      ImageIndex index;
      try {
        // an archive's index is bounded like a registry's: entries and nesting
        index = store.images().index(d.digest()).checkBounds(what + ": index " + d.digest(), depth);
      } catch (IllegalArgumentException e) {
        throw new IOException(e.getMessage(), e);
      }
      for (Descriptor child : index.manifests()) {
        if (store.blobs().has(child.digest())) {
          registerTree(store, child, what, depth + 1);
        }
      }
      return;
    }
    ImageManifest m = store.images().manifest(d.digest());
    if (!store.blobs().has(m.config().digest())) {
      throw new IOException(what + ": config " + m.config().digest() + " is missing");
    }
    checkSize(store, m.config().digest(), MAX_CONFIG, what, "config");
    ImageConfig config = store.images().config(m.config().digest());
    List<Digest> diffIds = config.diffIds();
    if (diffIds.size() != m.layers().size()) {
      throw new IOException(
          what
              + ": image "
              + d.digest()
              + " has "
              + m.layers().size()
              + " layers but "
              + diffIds.size()
              + " diff_ids");
    }
    for (int i = 0; i < diffIds.size(); i++) {
      Descriptor layer = m.layers().get(i);
      if (!store.blobs().has(layer.digest())) {
        throw new IOException(what + ": layer " + layer.digest() + " is missing");
      }
      store.layers().register(diffIds.get(i), layer);
    }
  }

  private static List<TaggedImage> loadDocker(
      Store store,
      Map<String, byte[]> docs,
      Map<String, BlobInfo> files,
      Map<String, String> links,
      String what)
      throws IOException {
    if (!(Json.parse(docs.get("manifest.json")) instanceof JsonArray entries)) {
      throw new IOException(what + ": manifest.json is not a JSON array");
    }
    var out = new ArrayList<TaggedImage>();
    for (Json j : entries.elements()) {
      if (!(j instanceof JsonObject entry)) {
        throw new IOException(what + ": manifest.json holds an entry that is not an object");
      }
      String configName = normalize(entry.string("Config"));
      byte[] configBytes = document(store, docs, files, links, configName, what);
      BlobInfo configBlob = store.blobs().put(configBytes);
      ImageConfig config = ImageConfig.parse(configBytes);
      List<Digest> diffIds = config.diffIds();
      List<String> layerNames = entry.strings("Layers");
      if (layerNames == null || layerNames.size() != diffIds.size()) {
        throw new IOException(
            what
                + ": "
                + configName
                + " lists "
                + diffIds.size()
                + " diff_ids but manifest.json "
                + (layerNames == null ? 0 : layerNames.size())
                + " layers");
      }
      var layers = new ArrayList<Descriptor>();
      for (int i = 0; i < layerNames.size(); i++) {
        String name = resolve(links, normalize(layerNames.get(i)));
        BlobInfo blob = files.get(name);
        if (blob == null) {
          throw new IOException(what + ": layer " + name + " is missing");
        }
        Compression c;
        try (InputStream in = new BufferedInputStream(store.blobs().open(blob.digest()))) {
          c = Compression.detect(in);
        }
        String type =
            switch (c) {
              case GZIP -> MediaTypes.OCI_LAYER_GZIP;
              case ZSTD -> MediaTypes.OCI_LAYER_ZSTD;
              case NONE -> MediaTypes.OCI_LAYER;
              default ->
                  throw new IOException(what + ": layer " + name + " is " + c + "-compressed");
            };
        if (c == Compression.NONE && !blob.digest().equals(diffIds.get(i))) {
          throw new IOException(
              what
                  + ": layer "
                  + name
                  + " is "
                  + blob.digest()
                  + " but the config says "
                  + diffIds.get(i));
        }
        Descriptor d = Descriptor.of(type, blob.digest(), blob.size());
        layers.add(d);
      }
      for (int i = 0; i < layers.size(); i++) {
        store.layers().register(diffIds.get(i), layers.get(i));
      }
      ImageManifest m = ImageManifest.of(configBlob.toDescriptor(MediaTypes.OCI_CONFIG), layers);
      Descriptor md = store.images().putManifest(m);
      List<String> tags = entry.strings("RepoTags");
      if (tags == null || tags.isEmpty()) {
        store.images().addUntagged(md);
        out.add(new TaggedImage(null, md));
      } else {
        for (String tag : tags) {
          String name = ImageReference.parse(tag).familiarString();
          store.images().tag(name, md);
          out.add(new TaggedImage(name, md));
        }
      }
    }
    return out;
  }

  private static String resolve(Map<String, String> links, String name) {
    String n = name;
    for (int i = 0; i < 16 && links.containsKey(n); i++) {
      n = links.get(n);
    }
    return n;
  }

  private static byte[] document(
      Store store,
      Map<String, byte[]> docs,
      Map<String, BlobInfo> files,
      Map<String, String> links,
      String name,
      String what)
      throws IOException {
    String n = resolve(links, name);
    if (docs.containsKey(n)) {
      return docs.get(n);
    }
    BlobInfo b = files.get(n);
    if (b != null) {
      if (b.size() > MAX_CONFIG) {
        throw tooLarge(what, name, b.size(), MAX_CONFIG);
      }
      return store.blobs().read(b.digest());
    }
    throw new IOException(what + ": " + name + " is missing");
  }
}
