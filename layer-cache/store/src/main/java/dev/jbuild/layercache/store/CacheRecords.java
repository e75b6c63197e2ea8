package dev.jbuild.layercache.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.jbuild.layercache.json.Json;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Cache records: one file per record under {@code cache/<key>}, written atomically, with a Caffeine
 * cache in front. Disk is the truth: only hits are cached, misses always look at disk (another
 * process may have written the record), and a record whose blobs are gone (pruned) is absent.
 *
 * <p>A record file's modification time is its "last used" time: {@link #get} refreshes it (at most
 * once per {@link #TOUCH_INTERVAL} per process), and prune keeps records used within its keep age.
 */
public final class CacheRecords {
  static final Duration TOUCH_INTERVAL = Duration.ofHours(1);
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:+-]{0,199}");

  private final Path dir;
  private final BlobStore blobs;
  private final RemoteBlobs remote;
  private final TempSpace temp;
  private final Cache<String, Entry> cache = newCache();

  private record Entry(CacheRecord record, Instant touched) {}

  private static Cache<String, Entry> newCache() {
    return Caffeine.newBuilder().maximumSize(10_000).build();
  }

  /**
   * Builds a throwaway cache of the same kind: Caffeine picks and links its cache class
   * reflectively the first time, which was most of opening a store (a command can do it early, on
   * another thread).
   */
  public static void prelink() {
    newCache();
  }

  CacheRecords(Path dir, BlobStore blobs, RemoteBlobs remote, TempSpace temp) {
    this.dir = dir;
    this.blobs = blobs;
    this.remote = remote;
    this.temp = temp;
  }

  /**
   * The record for {@code key}, if stored and all its layer blobs are present or remote ({@link
   * RemoteBlobs}: an imported cache's layers are fetched when a step needs their bytes).
   */
  public Optional<CacheRecord> get(String key) throws IOException {
    checkKey(key);
    Entry e = cache.getIfPresent(key);
    if (e == null) {
      CacheRecord r = readFile(key);
      if (r == null) {
        return Optional.empty();
      }
      e = new Entry(r, Instant.EPOCH);
    }
    for (CacheRecord.Layer l : e.record().layers()) {
      if (!blobs.has(l.blob().digest()) && !remote.available(l.blob().digest())) {
        cache.invalidate(key);
        return Optional.empty();
      }
    }
    Instant now = Instant.now();
    if (e.touched().isBefore(now.minus(TOUCH_INTERVAL))) {
      try {
        Files.setLastModifiedTime(file(key), FileTime.from(now));
        e = new Entry(e.record(), now);
      } catch (NoSuchFileException gone) {
        cache.invalidate(key);
        return Optional.empty();
      }
    }
    cache.put(key, e);
    return Optional.of(e.record());
  }

  /** Stores a record (replacing any record of that key). */
  public void put(String key, CacheRecord record) throws IOException {
    checkKey(key);
    StorePermissions.createPrivateDirectories(dir);
    AtomicFiles.write(file(key), record.toJson().toBytes(), temp.dir());
    cache.put(key, new Entry(record, Instant.now()));
  }

  /** Removes a record; true when it existed. */
  public boolean remove(String key) throws IOException {
    checkKey(key);
    cache.invalidate(key);
    return Files.deleteIfExists(file(key));
  }

  /** The keys of all stored records. */
  public List<String> keys() throws IOException {
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        String k = p.getFileName().toString();
        if (KEY.matcher(k).matches()) {
          out.add(k);
        }
      }
    }
    return out;
  }

  /** When the record was last used (its file's mtime), or null when it does not exist. */
  public Instant lastUsed(String key) throws IOException {
    try {
      return Files.getLastModifiedTime(file(key)).toInstant();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** Reads a record from disk without the blob check (null when absent or unreadable). */
  CacheRecord readFile(String key) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file(key));
    } catch (NoSuchFileException e) {
      return null;
    }
    try {
      return CacheRecord.fromJson(Json.parseObject(bytes));
    } catch (IllegalArgumentException e) {
      return null; // a record we cannot read is a miss; prune removes it
    }
  }

  long fileSize(String key) {
    try {
      return Files.size(file(key));
    } catch (IOException e) {
      return 0;
    }
  }

  void invalidateAll() {
    cache.invalidateAll();
  }

  Path file(String key) {
    return dir.resolve(key);
  }

  static void checkKey(String key) {
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException(
          "invalid cache key \"" + key + "\" (letters, digits, . _ : + -, at most 200)");
    }
  }
}
