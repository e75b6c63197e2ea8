package dev.jbuild.layercache.store;

import dev.jbuild.layercache.fs.UserNamespace;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.model.MediaTypes;
import dev.jbuild.layercache.model.MediaTypes.LayerCompression;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Unpacked layers in overlay-lower form, shared by every image that uses them.
 *
 * <p>Layout: {@code <root>/l/<first 12 hex of the diff ID>/} is the layer's tree, what the runner
 * passes as an overlay lowerdir. Paths are short on purpose: {@code /var/lib/jbuild/l/0123456789ab}
 * is 29 characters, so 120 lowerdirs plus upper, work and options fit in the one page of classic
 * mount(2) data. {@code <root>/l/<short>.diffid} records the full diff ID (a collision of the
 * 48-bit short ID is detected, not ignored). Installing writes the {@code .diffid} file first and
 * then renames a completely unpacked staging directory into place, so a half-unpacked layer is
 * never visible; removal renames the directory away before deleting it.
 *
 * <p>The store remembers which blobs hold a diff ID ({@link #register}): files {@code
 * <root>/layerdb/<diffId hex>/<blob alg>-<blob hex>} holding the blob descriptor. A blob whose
 * digest is the diff ID (an uncompressed layer written by a build) needs no registration.
 */
public final class LayerStore {
  private static final int SHORT_HEX = 12;
  private static final String DIFF = "diff";
  private static final String ID_SUFFIX = ".diffid";

  private final Path layersDir;
  private final Path dbDir;
  private final BlobStore blobs;
  private final RemoteBlobs remote;
  private final TempSpace temp;
  private final LayerUnpacker unpacker;
  private final ConcurrentHashMap<Digest, Object> inProgress = new ConcurrentHashMap<>();
  private volatile boolean xattrKindChecked;

  LayerStore(
      Path layersDir,
      Path dbDir,
      BlobStore blobs,
      RemoteBlobs remote,
      TempSpace temp,
      LayerUnpacker unpacker) {
    this.layersDir = layersDir;
    this.dbDir = dbDir;
    this.blobs = blobs;
    this.remote = remote;
    this.temp = temp;
    this.unpacker = unpacker;
  }

  /** {@code <root>/l}: the parent of all layer directories. */
  public Path layersDir() {
    return layersDir;
  }

  /** The short directory name of a layer (12 hex characters of the diff ID). */
  public static String shortId(Digest diffId) {
    return diffId.hex().substring(0, SHORT_HEX);
  }

  /** Where the layer's tree is (or would be): {@code <root>/l/<short>}. */
  public Path diffDir(Digest diffId) {
    return layersDir.resolve(shortId(diffId));
  }

  private Path idFile(Digest diffId) {
    return layersDir.resolve(shortId(diffId) + ID_SUFFIX);
  }

  // ---- diffId -> blob ------------------------------------------------------------------------

  /** Records that {@code blob} (compressed or not) holds the layer {@code diffId}. */
  public void register(Digest diffId, Descriptor blob) throws IOException {
    if (blob.digest().equals(diffId)) {
      return; // an uncompressed blob is found by its digest
    }
    Path dir = dbDir.resolve(diffId.hex());
    Path f = dir.resolve(blob.digest().algorithm() + "-" + blob.digest().hex());
    if (Files.exists(f)) {
      return;
    }
    StorePermissions.createPrivateDirectories(dir);
    AtomicFiles.write(f, blob.toJson().toBytes(), temp.dir());
  }

  /** Blobs present in the store that hold {@code diffId}; the uncompressed one first. */
  public List<Descriptor> blobsFor(Digest diffId) throws IOException {
    List<Descriptor> out = new ArrayList<>();
    if (blobs.has(diffId)) {
      out.add(Descriptor.of(MediaTypes.OCI_LAYER, diffId, blobs.size(diffId)));
    }
    for (Descriptor d : registered(diffId)) {
      if (blobs.has(d.digest())) {
        out.add(d);
      }
    }
    return out;
  }

  /** The blobs registered for {@code diffId}, present or not. */
  private List<Descriptor> registered(Digest diffId) throws IOException {
    List<Descriptor> out = new ArrayList<>();
    Path dir = dbDir.resolve(diffId.hex());
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        for (Path f : ds) {
          try {
            out.add(Descriptor.fromJson(Json.parseObject(Files.readAllBytes(f))));
          } catch (IllegalArgumentException | NoSuchFileException e) {
            // unreadable registration: ignore, prune removes it
          }
        }
      }
    }
    return out;
  }

  /**
   * A blob of {@code diffId} that is not in the store but can be fetched ({@link RemoteBlobs}),
   * when no blob of it is present.
   */
  Optional<Descriptor> remoteBlobFor(Digest diffId) throws IOException {
    Optional<RemoteBlobs.Remote> uncompressed = remote.get(diffId);
    if (uncompressed.isPresent()) {
      return Optional.of(uncompressed.get().blob());
    }
    for (Descriptor d : registered(diffId)) {
      if (remote.get(d.digest()).isPresent()) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  public Optional<Descriptor> blobFor(Digest diffId) throws IOException {
    return blobsFor(diffId).stream().findFirst();
  }

  /** Diff IDs with registrations (for garbage collection). */
  List<Digest> registeredDiffIds() throws IOException {
    List<Digest> out = new ArrayList<>();
    if (!Files.isDirectory(dbDir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dbDir)) {
      for (Path p : ds) {
        String text = Digest.SHA256 + ":" + p.getFileName();
        if (Digest.isValid(text)) {
          out.add(Digest.parse(text));
        }
      }
    }
    return out;
  }

  Path registrationDir(Digest diffId) {
    return dbDir.resolve(diffId.hex());
  }

  // ---- unpacked layers -----------------------------------------------------------------------

  /**
   * Unpacked layers keep overlayfs's opaque flag in {@code trusted.overlay.opaque} as root with
   * CAP_SYS_ADMIN and in {@code user.overlay.opaque} otherwise (rootless, chroot); each kind is
   * invisible to the other's overlays, so a store's layers are of one kind, recorded in {@code
   * <root>/l.xattrs} (a store without it was made by root).
   */
  private void checkXattrKind() throws IOException {
    if (xattrKindChecked) {
      return;
    }
    Path marker = layersDir.resolveSibling("l.xattrs");
    String mine = UserNamespace.opaqueXattr().startsWith("trusted.") ? "trusted" : "user";
    String recorded;
    try {
      recorded = Files.readString(marker, StandardCharsets.US_ASCII).trim();
    } catch (NoSuchFileException e) {
      boolean empty;
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(layersDir)) {
        empty = !ds.iterator().hasNext();
      } catch (NoSuchFileException e2) {
        empty = true;
      }
      recorded = empty ? mine : "trusted";
      AtomicFiles.write(marker, (recorded + "\n").getBytes(StandardCharsets.US_ASCII));
    }
    if (!recorded.equals(mine)) {
      throw new IOException(
          "the unpacked layers in "
              + layersDir
              + " were made "
              + (recorded.equals("user")
                  ? "with user.* overlay attributes (rootless or chroot isolation)"
                  : "with trusted.* overlay attributes (root isolation)")
              + " and this jbuild uses "
              + (mine.equals("user") ? "user.* ones" : "trusted.* ones")
              + ": use another store (--root), or delete "
              + layersDir
              + " and "
              + marker
              + " (the layers are unpacked again from the store's blobs)");
    }
    xattrKindChecked = true;
  }

  /** The layer's tree if it is unpacked. */
  public Optional<Path> ifUnpacked(Digest diffId) throws IOException {
    checkXattrKind();
    if (!recorded(diffId)) {
      return Optional.empty();
    }
    Path tree = diffDir(diffId);
    return Files.isDirectory(tree) ? Optional.of(tree) : Optional.empty();
  }

  /** True when the short ID's .diffid file names {@code diffId}; throws on a collision. */
  private boolean recorded(Digest diffId) throws IOException {
    String recorded;
    try {
      recorded = Files.readString(idFile(diffId), StandardCharsets.US_ASCII).trim();
    } catch (NoSuchFileException e) {
      return false;
    }
    if (!recorded.equals(diffId.toString())) {
      throw new IOException(
          "layer directory "
              + diffDir(diffId)
              + " holds "
              + recorded
              + ", not "
              + diffId
              + " (short ID collision)");
    }
    return true;
  }

  /**
   * The layer's tree, unpacked from its blob when it is not yet (concurrency-safe: staged in tmp
   * and renamed; two processes racing both unpack and one wins).
   */
  public Path unpacked(Digest diffId) throws IOException {
    Optional<Path> existing = ifUnpacked(diffId);
    if (existing.isPresent()) {
      return existing.get();
    }
    Object lock = inProgress.computeIfAbsent(diffId, d -> new Object());
    synchronized (lock) {
      try {
        existing = ifUnpacked(diffId);
        if (existing.isPresent()) {
          return existing.get();
        }
        return unpack(diffId);
      } finally {
        inProgress.remove(diffId, lock);
      }
    }
  }

  /**
   * The trees of a layer chain (base first), unpacking what is missing. Blobs of layers to unpack
   * that are only remote are fetched first, all at once ({@link RemoteBlobs#ensure}).
   */
  public List<Path> unpacked(List<Digest> chain) throws IOException {
    List<Descriptor> fetch = new ArrayList<>();
    for (Digest d : chain) {
      if (ifUnpacked(d).isEmpty() && blobFor(d).isEmpty()) {
        remoteBlobFor(d).ifPresent(fetch::add);
      }
    }
    if (!fetch.isEmpty()) {
      remote.ensure(fetch);
    }
    List<Path> out = new ArrayList<>(chain.size());
    for (Digest d : chain) {
      out.add(unpacked(d));
    }
    return out;
  }

  private Path unpack(Digest diffId) throws IOException {
    if (blobFor(diffId).isEmpty()) {
      Optional<Descriptor> lazy = remoteBlobFor(diffId);
      if (lazy.isPresent()) {
        remote.ensure(List.of(lazy.get()));
      }
    }
    Descriptor blob =
        blobFor(diffId)
            .orElseThrow(
                () ->
                    new NoSuchFileException(
                        "layer " + diffId + " is not in the store (no blob holds this diff ID)"));
    Path stage = temp.newDir("unpack-");
    try {
      Path diff = Files.createDirectory(stage.resolve(DIFF));
      LayerCompression compression =
          blob.digest().equals(diffId)
              ? LayerCompression.NONE
              : MediaTypes.layerCompression(blob.mediaType());
      Digest seen = unpacker.unpack(blobs.path(blob.digest()), compression, diff);
      if (seen != null && !seen.equals(diffId)) {
        if (compression == LayerCompression.NONE) {
          throw blobs.corrupt(blob.digest(), seen);
        }
        throw new DigestMismatchException(
            "layer blob "
                + blob.digest()
                + " does not unpack to its diff ID (the blob in the store is corrupt: run 'jbuild"
                + " pull' of the image again, or 'jbuild rmi' it and build it again)",
            diffId,
            seen);
      }
      return install(diffId, stage);
    } finally {
      AtomicFiles.deleteTree(stage);
    }
  }

  /**
   * Moves a directory that already is the layer's tree in overlay form (e.g. a RUN step's upper
   * directory) into the store instead of unpacking {@code blob}. {@code dir} must be on the store's
   * file system; it is consumed (moved, or deleted when the layer is unpacked already). Registers
   * {@code blob} for {@code diffId}.
   */
  public Path adopt(Digest diffId, Descriptor blob, Path dir) throws IOException {
    register(diffId, blob);
    Optional<Path> existing = ifUnpacked(diffId);
    if (existing.isPresent()) {
      AtomicFiles.deleteTree(dir);
      return existing.get();
    }
    Path stage = temp.newDir("adopt-");
    try {
      try {
        Files.move(dir, stage.resolve(DIFF), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (java.nio.file.AtomicMoveNotSupportedException e) {
        // another file system: unpack the blob instead (the directory is consumed either way)
        AtomicFiles.deleteTree(dir);
        return unpacked(diffId);
      }
      return install(diffId, stage);
    } finally {
      AtomicFiles.deleteTree(stage);
    }
  }

  private Path install(Digest diffId, Path stage) throws IOException {
    StorePermissions.createPrivateDirectories(layersDir);
    if (!recorded(diffId)) {
      AtomicFiles.write(
          idFile(diffId), diffId.toString().getBytes(StandardCharsets.US_ASCII), temp.dir());
    }
    AtomicFiles.moveIfAbsent(stage.resolve(DIFF), diffDir(diffId));
    return ifUnpacked(diffId)
        .orElseThrow(() -> new IOException("layer " + diffId + " vanished while installing"));
  }

  /** Diff IDs of all unpacked layers. */
  public List<Digest> listUnpacked() throws IOException {
    List<Digest> out = new ArrayList<>();
    if (!Files.isDirectory(layersDir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(layersDir, "*" + ID_SUFFIX)) {
      for (Path p : ds) {
        String text = readQuietly(p);
        if (text != null && Digest.isValid(text)) {
          Digest d = Digest.parse(text);
          if (Files.isDirectory(diffDir(d))) {
            out.add(d);
          }
        }
      }
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  /**
   * Debris to remove: layer directories without a valid .diffid file, and .diffid files without a
   * directory.
   */
  List<Path> strayEntries() throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(layersDir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(layersDir)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        if (name.endsWith(ID_SUFFIX)) {
          String short0 = name.substring(0, name.length() - ID_SUFFIX.length());
          String text = readQuietly(p);
          if (text == null
              || !Digest.isValid(text)
              || !Files.isDirectory(layersDir.resolve(short0))) {
            out.add(p);
          }
        } else {
          String text = readQuietly(layersDir.resolve(name + ID_SUFFIX));
          if (text == null || !Digest.isValid(text)) {
            out.add(p);
          }
        }
      }
    }
    return out;
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p, StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      return null;
    }
  }

  /** Bytes used by an unpacked layer's files. */
  public long unpackedSize(Digest diffId) {
    return AtomicFiles.treeSize(diffDir(diffId));
  }

  /** Removes an unpacked layer (rename out of sight first, then delete). */
  boolean removeUnpacked(Digest diffId) throws IOException {
    boolean removed = removeEntry(diffDir(diffId));
    Files.deleteIfExists(idFile(diffId));
    return removed;
  }

  /** Removes a directory (renamed away first) or file of {@code l/}. */
  boolean removeEntry(Path entry) throws IOException {
    if (!Files.exists(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    if (!Files.isDirectory(entry, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return Files.deleteIfExists(entry);
    }
    Path trash = temp.newDir("trash-").resolve("layer");
    Files.move(entry, trash, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    AtomicFiles.deleteTree(trash.getParent());
    return true;
  }
}
