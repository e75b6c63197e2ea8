package dev.jbuild.layercache.archive;

import dev.jbuild.layercache.fs.At;
import dev.jbuild.layercache.fs.Errno;
import dev.jbuild.layercache.fs.PosixException;
import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.ImageManifest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.BlobWriter;
import dev.jbuild.layercache.store.DigestMismatchException;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * An OCI image layout directory on this machine ({@code index.json}, {@code blobs/ALG/HEX}), read
 * as untrusted input: every file is resolved below the directory with no symlink followed (a
 * symlink anywhere under it is an error, never a way out), must be a regular file of the size its
 * descriptor declares, is read at most that far, and is verified against its digest; JSON documents
 * are bounded ({@link #MAX_DOCUMENT}, configs {@link ArchiveLoader#MAX_CONFIG}). Used by {@code
 * --build-context NAME=oci-layout://DIR} and the local cache import.
 */
public final class OciLayoutDir implements AutoCloseable {
  /** index.json and every manifest or index blob: at most 4 MiB (as an archive's). */
  public static final long MAX_DOCUMENT = ArchiveLoader.MAX_METADATA;

  private final Path dir;
  private final RootDir root;

  private OciLayoutDir(Path dir, RootDir root) {
    this.dir = dir;
    this.root = root;
  }

  /**
   * Opens the layout at {@code dir} (the user's own path, followed as given).
   *
   * @throws NoSuchFileException when {@code dir} does not exist
   */
  public static OciLayoutDir open(Path dir) throws IOException {
    try {
      return new OciLayoutDir(dir, RootDir.open(dir));
    } catch (PosixException e) {
      if (e.errno() == Errno.ENOENT) {
        throw new NoSuchFileException(dir.toString(), null, "no such directory");
      }
      if (e.errno() == Errno.ENOTDIR) {
        throw new IOException(dir + " is not a directory");
      }
      throw e;
    }
  }

  public Path dir() {
    return dir;
  }

  /**
   * The layout's {@code index.json}, bounded (size, entries).
   *
   * @throws NoSuchFileException when it has none
   */
  public ImageIndex index() throws IOException {
    byte[] bytes = read("index.json", -1, MAX_DOCUMENT);
    try {
      return ImageIndex.parse(bytes).checkBounds(dir + "/index.json", 1);
    } catch (RuntimeException e) {
      throw invalid("index.json: " + e.getMessage());
    }
  }

  /**
   * The entry of index.json a tag names, as buildx looks one up: the entry whose {@code
   * io.containerd.image.name} annotation is the tag, else whose {@code
   * org.opencontainers.image.ref.name} is, else the only entry when there is one.
   */
  public Optional<Descriptor> find(String tag) throws IOException {
    ImageIndex index = index();
    for (String key :
        List.of(MediaTypes.ANNOTATION_CONTAINERD_NAME, MediaTypes.ANNOTATION_REF_NAME)) {
      for (Descriptor d : index.manifests()) {
        if (tag.equals(d.annotation(key))) {
          return Optional.of(d);
        }
      }
    }
    return index.manifests().size() == 1
        ? Optional.of(index.manifests().getFirst())
        : Optional.empty();
  }

  /**
   * The descriptor of blob {@code digest}: index.json's entry for it when there is one, else made
   * from the blob itself (its size, and the media type its JSON declares or its shape implies), as
   * BuildKit reads a layout by digest from its content store whether index.json names it or not.
   */
  public Descriptor describe(Digest digest) throws IOException {
    try {
      for (Descriptor d : index().manifests()) {
        if (d.digest().equals(digest)) {
          return d;
        }
      }
    } catch (NoSuchFileException e) {
      // a layout read by digest needs no index.json
    }
    byte[] b = read(blobName(digest), -1, MAX_DOCUMENT);
    Digest actual = Digest.of(digest.algorithm(), digest.newMessageDigest().digest(b));
    if (!actual.equals(digest)) {
      throw invalid("blob " + digest + " does not match its digest");
    }
    String type;
    try {
      JsonObject doc = Json.parseObject(b);
      type = doc.string("mediaType");
      if (type == null) {
        type = doc.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
      }
    } catch (RuntimeException e) {
      throw invalid("blob " + digest + " is not a manifest or an index: " + e.getMessage());
    }
    return Descriptor.of(type, digest, b.length);
  }

  /** The tags index.json names (ref.name annotations), for messages. */
  public List<String> tags() throws IOException {
    return index().manifests().stream()
        .map(Descriptor::refName)
        .filter(t -> t != null)
        .distinct()
        .toList();
  }

  /**
   * A manifest or index blob (its size checked against {@code d} and {@link #MAX_DOCUMENT} before
   * it is read, its content against the digest).
   */
  public byte[] document(Descriptor d) throws IOException {
    return document(d, MAX_DOCUMENT);
  }

  /** A JSON blob of at most {@code max} bytes, verified. */
  public byte[] document(Descriptor d, long max) throws IOException {
    if (d.size() < 0 || d.size() > max) {
      throw invalid(
          "blob " + d.digest() + " of " + d.size() + " bytes is larger than " + max + " bytes");
    }
    byte[] b = read(blobName(d.digest()), d.size(), max);
    Digest actual = Digest.of(d.digest().algorithm(), d.digest().newMessageDigest().digest(b));
    if (!actual.equals(d.digest())) {
      throw invalid("blob " + d.digest() + " does not match its digest");
    }
    return b;
  }

  /** Copies blob {@code d} into the store (verified) unless the store has it. */
  public void copyTo(Store store, Descriptor d) throws IOException {
    if (store.blobs().has(d.digest())) {
      return;
    }
    if (!Digest.SHA256.equals(d.digest().algorithm())) {
      throw invalid("blob " + d.digest() + ": jbuild reads sha256 blobs only");
    }
    if (d.size() < 0) {
      throw invalid("blob " + d.digest() + " has a negative size");
    }
    String name = blobName(d.digest());
    try (FileChannel ch = openRegular(name, d.size());
        BlobWriter w = store.blobs().newWriter()) {
      ByteBuffer buf = ByteBuffer.allocate(1 << 16);
      long left = d.size();
      while (left > 0) {
        buf.clear().limit((int) Math.min(buf.capacity(), left));
        int n = ch.read(buf);
        if (n < 0) {
          throw invalid("blob " + d.digest() + " is shorter than " + d.size() + " bytes");
        }
        w.write(buf.array(), 0, n);
        left -= n;
      }
      if (ch.read(ByteBuffer.allocate(1)) > 0) {
        throw invalid("blob " + d.digest() + " is longer than " + d.size() + " bytes");
      }
      w.commit(d.digest());
    } catch (DigestMismatchException e) {
      throw invalid("blob " + d.digest() + " does not match its digest");
    }
  }

  /**
   * Copies the image {@code top} names for {@code platform} into the store: an index resolves to
   * the platform's entry (nested indexes followed, bounded), a manifest is taken as it is; then its
   * config and layers are copied, the layers registered for their diff IDs, and the manifest stored
   * with its own bytes (so its digest is the layout's). Returns the manifest's descriptor.
   */
  public Descriptor importImage(Store store, Descriptor top, Platform platform) throws IOException {
    Descriptor d = top.withAnnotations(null);
    for (int depth = 1; MediaTypes.isIndex(d.mediaType()); depth++) {
      ImageIndex index;
      byte[] bytes = document(d);
      try {
        index = ImageIndex.parse(bytes).checkBounds(dir + ": index " + d.digest(), depth);
      } catch (RuntimeException e) {
        throw invalid("index " + d.digest() + ": " + e.getMessage());
      }
      storeDocument(store, d, bytes);
      Descriptor chosen =
          index
              .select(platform)
              .orElseThrow(
                  () ->
                      invalid(
                          "the image has no variant for platform "
                              + platform
                              + " (it has: "
                              + (index.platformNames().isEmpty()
                                  ? "none"
                                  : String.join(", ", index.platformNames()))
                              + ")"));
      d = chosen.withAnnotations(null).withPlatform(null);
    }
    if (!MediaTypes.isManifest(d.mediaType())) {
      throw invalid(d.digest() + " is not an image (media type " + d.mediaType() + ")");
    }
    byte[] bytes = document(d);
    ImageManifest m;
    try {
      m = ImageManifest.parse(bytes);
    } catch (RuntimeException e) {
      throw invalid("manifest " + d.digest() + ": " + e.getMessage());
    }
    if (!MediaTypes.isConfig(m.config().mediaType())) {
      throw invalid(
          "manifest " + d.digest() + " is not an image (config " + m.config().mediaType() + ")");
    }
    byte[] configBytes = document(m.config(), ArchiveLoader.MAX_CONFIG);
    ImageConfig config;
    try {
      config = ImageConfig.parse(configBytes);
    } catch (RuntimeException e) {
      throw invalid("config " + m.config().digest() + ": " + e.getMessage());
    }
    List<Digest> diffIds = config.diffIds();
    if (diffIds.size() != m.layers().size()) {
      throw invalid(
          "manifest "
              + d.digest()
              + " has "
              + m.layers().size()
              + " layers but its config "
              + diffIds.size()
              + " diff_ids");
    }
    for (Descriptor l : m.layers()) {
      if (!MediaTypes.isLayer(l.mediaType())) {
        throw invalid("layer " + l.digest() + " has media type " + l.mediaType());
      }
    }
    storeDocument(store, m.config(), configBytes);
    for (Descriptor l : m.layers()) {
      copyTo(store, l);
    }
    for (int i = 0; i < diffIds.size(); i++) {
      store.layers().register(diffIds.get(i), m.layers().get(i));
    }
    storeDocument(store, d, bytes);
    return Descriptor.of(d.mediaType(), d.digest(), d.size());
  }

  private static void storeDocument(Store store, Descriptor d, byte[] bytes) throws IOException {
    if (!store.blobs().has(d.digest())) {
      try (BlobWriter w = store.blobs().newWriter()) {
        w.write(bytes);
        w.commit(d.digest());
      }
    }
  }

  /** An error about this layout: {@code oci-layout DIR: detail}. */
  public IOException invalid(String detail) {
    return new IOException("oci-layout " + dir + ": " + detail);
  }

  private static String blobName(Digest d) {
    return "blobs/" + d.algorithm() + "/" + d.hex();
  }

  /**
   * Reads {@code rel} whole: a regular file below the directory, reached without any symlink, of
   * {@code size} bytes when {@code size >= 0}, at most {@code max}.
   */
  private byte[] read(String rel, long size, long max) throws IOException {
    try (FileChannel ch = openRegular(rel, size)) {
      long n = ch.size();
      if (n > max) {
        throw invalid(rel + " is " + n + " bytes, more than " + max);
      }
      ByteBuffer buf = ByteBuffer.allocate((int) n);
      while (buf.hasRemaining() && ch.read(buf) >= 0) {}
      if (buf.hasRemaining() || ch.read(ByteBuffer.allocate(1)) > 0) {
        throw invalid(rel + " changed while it was read");
      }
      return buf.array();
    }
  }

  /**
   * Opens {@code rel} for reading: resolved to a descriptor below the root with every symlink
   * refused, checked to be a regular file (of {@code size} bytes when {@code size >= 0}), then
   * reopened through that descriptor, so what is read is the file that was checked.
   */
  private FileChannel openRegular(String rel, long size) throws IOException {
    int fd;
    try {
      fd = root.resolve(rel, true, true);
    } catch (PosixException e) {
      if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
        throw new NoSuchFileException(dir + "/" + rel, null, "missing from the oci-layout");
      }
      if (e.errno() == Errno.ELOOP || e.errno() == Errno.EXDEV) {
        throw invalid(rel + " is reached through a symlink, which jbuild does not follow");
      }
      throw invalid(rel + ": " + e.getMessage());
    }
    try {
      Stat st = At.fstat(fd);
      if (!st.isRegularFile()) {
        throw invalid(rel + " is " + RootDir.kind(st) + ", not a regular file");
      }
      if (size >= 0 && st.size() != size) {
        throw invalid(rel + " has " + st.size() + " bytes, its descriptor says " + size);
      }
      return FileChannel.open(Path.of(At.procPath(fd, "")), StandardOpenOption.READ);
    } finally {
      At.close(fd);
    }
  }

  @Override
  public void close() {
    root.close();
  }
}
