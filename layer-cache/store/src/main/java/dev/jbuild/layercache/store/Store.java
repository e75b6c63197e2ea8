package dev.jbuild.layercache.store;

import dev.jbuild.layercache.model.ImageIndex;
import dev.jbuild.layercache.model.MediaTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * jbuild's store: an OCI image layout ({@code oci-layout}, {@code index.json}, {@code
 * blobs/sha256/...}) plus unpacked layers ({@code l/}), the diffId-to-blob registry ({@code
 * layerdb/}), cache records ({@code cache/}), GC roots of other components ({@code gcroots/}),
 * staging ({@code tmp/}) and the lock files ({@code lock}, {@code index.lock}).
 *
 * <p>Every write is temp file, fsync, atomic rename, directory fsync ({@link AtomicFiles}); a
 * process killed at any instant leaves a valid store and its staging directory is swept by the next
 * {@link #open}. The root is private (0700, see {@link StorePermissions}). Several processes may
 * use one store at once. Builds hold {@link #lockShared()}, prune holds {@link #lockExclusive()}.
 */
public final class Store implements AutoCloseable {
  private final Path root;
  private final RootLocks locks;
  private final TempSpace temp;
  private final BlobStore blobs;
  private final ImageStore images;
  private final LayerStore layers;
  private final CacheRecords cache;
  private final RemoteBlobs remote;

  private Store(Path root, StoreOptions options) throws IOException {
    this.root = root;
    this.locks = RootLocks.forRoot(root);
    this.temp = new TempSpace(root.resolve("tmp"));
    this.blobs = new BlobStore(root.resolve("blobs"), temp);
    this.images = new ImageStore(root.resolve("index.json"), blobs, locks, temp);
    this.remote = new RemoteBlobs(root.resolve("remote"), blobs, temp);
    this.layers =
        new LayerStore(
            root.resolve("l"), root.resolve("layerdb"), blobs, remote, temp, options.unpacker());
    this.cache = new CacheRecords(root.resolve("cache"), blobs, remote, temp);
  }

  /** Opens (creating when needed) the store at {@code root} with default options. */
  public static Store open(Path root) throws IOException {
    return open(root, StoreOptions.defaults());
  }

  public static Store open(Path root, StoreOptions options) throws IOException {
    try {
      StorePermissions.prepareRoot(root);
      Path real = root.toRealPath();
      for (String d : List.of("blobs/sha256", "tmp", "l", "layerdb", "cache", "gcroots")) {
        StorePermissions.createPrivateDirectories(real.resolve(d));
      }
      Store store = new Store(real, options);
      store.initLayout();
      TempSpace.sweep(real.resolve("tmp"));
      return store;
    } catch (java.nio.file.FileSystemException e) {
      String reason =
          e instanceof java.nio.file.AccessDeniedException
              ? "permission denied"
              : e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
      String where = e.getFile() == null ? "" : " (" + e.getFile() + ")";
      throw new IOException(
          "cannot open the store at "
              + root
              + ": "
              + reason
              + where
              + " (set --root or JBUILD_ROOT)",
          e);
    }
  }

  private void initLayout() throws IOException {
    Path layout = root.resolve("oci-layout");
    if (!Files.exists(layout)) {
      AtomicFiles.write(
          layout,
          ("{\"imageLayoutVersion\":\"" + MediaTypes.OCI_LAYOUT_VERSION + "\"}")
              .getBytes(StandardCharsets.UTF_8),
          temp.dir());
    }
    Path index = root.resolve("index.json");
    if (!Files.exists(index)) {
      locks.withIndexLock(
          () -> {
            if (!Files.exists(index)) {
              AtomicFiles.write(index, ImageIndex.of(List.of()).toBytes(), temp.dir());
            }
            return null;
          });
    }
  }

  public Path root() {
    return root;
  }

  public BlobStore blobs() {
    return blobs;
  }

  public ImageStore images() {
    return images;
  }

  public LayerStore layers() {
    return layers;
  }

  public CacheRecords cache() {
    return cache;
  }

  /** Blobs known by descriptor and source, fetched when their bytes are needed. */
  public RemoteBlobs remote() {
    return remote;
  }

  /** Garbage collection and disk usage. */
  public Gc gc() {
    return new Gc(this);
  }

  /** Held by builds for their duration: many at once, across processes and threads. */
  public StoreLock lockShared() {
    return locks.shared();
  }

  /** Held by prune: waits until no build holds the shared lock. */
  public StoreLock lockExclusive() {
    return locks.exclusive();
  }

  /** The exclusive lock if it can be had within {@code timeout}. */
  public Optional<StoreLock> tryLockExclusive(Duration timeout) {
    return locks.tryExclusive(timeout);
  }

  /** A new empty directory in this process's staging area (same file system as the store). */
  public Path newTempDir(String prefix) throws IOException {
    return temp.newDir(prefix);
  }

  /**
   * This process's staging directory (same file system as the store): pass it to {@link
   * AtomicFiles.Options#stagedIn} for writes into the store, so a killed writer's temp file is
   * swept with the directory.
   */
  public Path stagingDir() throws IOException {
    return temp.dir();
  }

  /** A new empty file in this process's staging area. */
  public Path newTempFile(String prefix) throws IOException {
    return temp.newFile(prefix);
  }

  /** {@code <root>/gcroots}: files there (JSON {"digests":[...]}) pin blobs and layers. */
  public Path gcRootsDir() {
    return root.resolve("gcroots");
  }

  TempSpace temp() {
    return temp;
  }

  RootLocks locks() {
    return locks;
  }

  /** Removes this process's staging directory. */
  @Override
  public void close() throws IOException {
    temp.close();
  }
}
