package dev.jbuild.builder.context;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.AtomicFiles;
import dev.jbuild.layercache.store.StorePermissions;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Content hashes of context files, remembered across builds by (dev, inode, size, mtime, ctime), so
 * a rebuild reads no file that did not change.
 *
 * <p>One file per context directory under the store; loaded whole at the start of a build and
 * rewritten ({@link AtomicFiles}: temp file, fsync, rename) only when something changed. Entries
 * not used by a build are dropped when it saves, so the file tracks what the Dockerfile copies.
 * Like git's index, a file modified within {@link #RACY_NANOS} of being hashed is not remembered:
 * its timestamp cannot prove that a later write did not happen in the same clock tick.
 */
public final class FileHashCache {
  private static final int MAGIC = 0x4a424843; // "JBHC"
  private static final int VERSION = 1;
  static final long RACY_NANOS = 2_000_000_000L;

  private final Path file;
  private final Map<String, Entry> loaded;
  private final Map<String, Entry> used = new ConcurrentHashMap<>();
  private volatile boolean dirty;

  /** What identifies a file's content without reading it. */
  public record Fingerprint(long dev, long ino, long size, long mtimeNanos, long ctimeNanos) {}

  record Entry(Fingerprint fp, byte[] sha256) {}

  private FileHashCache(Path file, Map<String, Entry> loaded) {
    this.file = file;
    this.loaded = loaded;
  }

  /** A cache that is never saved (for trees other than the build context). */
  public static FileHashCache inMemory() {
    return new FileHashCache(null, new HashMap<>());
  }

  /** Loads the cache stored in {@code file}; a missing or unreadable file gives an empty cache. */
  public static FileHashCache load(Path file) {
    Map<String, Entry> map = new HashMap<>();
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
      if (in.readInt() != MAGIC || in.readInt() != VERSION) {
        return new FileHashCache(file, map);
      }
      int n = in.readInt();
      for (int i = 0; i < n; i++) {
        String path = in.readUTF();
        Fingerprint fp =
            new Fingerprint(
                in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong());
        byte[] sha = new byte[32];
        in.readFully(sha);
        map.put(path, new Entry(fp, sha));
      }
    } catch (NoSuchFileException e) {
      // first build of this context
    } catch (EOFException e) {
      map.clear(); // truncated: start over rather than trust a partial file
    } catch (IOException e) {
      map.clear();
    }
    return new FileHashCache(file, map);
  }

  /**
   * The sha256 of {@code path}'s content; read only when {@code key} has no remembered hash for
   * {@code fp}.
   */
  public Digest hash(String key, Path path, Fingerprint fp) throws IOException {
    Entry e = used.get(key);
    if (e == null) {
      e = loaded.get(key);
    }
    if (e != null && e.fp.equals(fp)) {
      used.putIfAbsent(key, e);
      return Digest.of(Digest.SHA256, e.sha256);
    }
    byte[] sha = sha256(path);
    long now = System.currentTimeMillis() * 1_000_000L;
    if (now - fp.mtimeNanos() > RACY_NANOS && now - fp.ctimeNanos() > RACY_NANOS) {
      used.put(key, new Entry(fp, sha));
      dirty = true;
    }
    return Digest.of(Digest.SHA256, sha);
  }

  /** Writes the entries this build used, when anything changed. */
  public void save() throws IOException {
    if (file == null || (!dirty && used.size() == loaded.size())) {
      return;
    }
    StorePermissions.createPrivateDirectories(file.getParent());
    // durable: a hash read back wrong would put the wrong content under a cache key
    AtomicFiles.sweep(file.getParent());
    AtomicFiles.write(file, raw -> writeEntries(new DataOutputStream(raw)));
  }

  private void writeEntries(DataOutputStream out) throws IOException {
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeInt(used.size());
    for (var en : used.entrySet()) {
      out.writeUTF(en.getKey());
      Fingerprint fp = en.getValue().fp;
      out.writeLong(fp.dev());
      out.writeLong(fp.ino());
      out.writeLong(fp.size());
      out.writeLong(fp.mtimeNanos());
      out.writeLong(fp.ctimeNanos());
      out.write(en.getValue().sha256);
    }
    out.flush();
  }

  static byte[] sha256(Path path) throws IOException {
    MessageDigest md = Digest.newSha256();
    byte[] buf = new byte[1 << 17];
    try (InputStream in = Files.newInputStream(path)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return md.digest();
  }
}
