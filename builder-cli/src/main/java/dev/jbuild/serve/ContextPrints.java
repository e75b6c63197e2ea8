package dev.jbuild.serve;

import dev.jbuild.layercache.fs.Stat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a kept context directory ({@link ContextPool}) holds, in the words of the client that sent
 * it: for each regular file, the client's stat record of it ({@link Print}, from the client's
 * manifest, {@code cli.ContextManifest}) and the daemon's own inode and change time of the copy it
 * wrote. A later manifest from the same client naming a file with the same record, while the copy
 * still has the inode and change time recorded (nothing, no build and no person, touched it since),
 * lets the client leave that file's content out of the upload.
 *
 * <p>Bounded: a table holds at most {@link #MAX_FILES} files (a bigger context keeps none and is
 * sent whole, as before manifests), and the pool bounds the total it keeps.
 */
public final class ContextPrints {
  /** The most files one table holds. */
  public static final int MAX_FILES = 250_000;

  /** A client's {@code lstat} of one regular file: what it sends for it in a manifest. */
  public record Print(
      long size,
      long mtimeNanos,
      long ctimeNanos,
      long ino,
      long dev,
      int mode,
      long uid,
      long gid) {}

  private record Kept(Print client, long ino, long ctimeNanos) {}

  private final Map<String, Kept> files;

  private ContextPrints(Map<String, Kept> files) {
    this.files = files;
  }

  /** How many files the table holds, for the pool's bound. */
  public int size() {
    return files.size();
  }

  /**
   * Whether {@code dir} still holds {@code rel} as the client's file with print {@code p}: the same
   * print was recorded for it, and the copy is a regular file with one link, reached through real
   * directories, with the inode and change time the daemon recorded.
   */
  public boolean holds(Path dir, String rel, Print p, Set<Path> realDirs) throws IOException {
    Kept k = files.get(rel);
    if (k == null || !k.client().equals(p)) {
      return false;
    }
    Stat st = ContextSync.keptRegularFile(dir, rel, realDirs);
    return st != null
        && st.ino() == k.ino()
        && nanos(st.ctime()) == k.ctimeNanos()
        && st.size() == p.size();
  }

  static long nanos(java.time.Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  /**
   * The records of one sync as the manifest gives them; {@link #build} then reads the daemon's
   * side. Past {@link #MAX_FILES} it records nothing more and builds no table.
   */
  public static final class Builder {
    private Map<String, Print> pending = new HashMap<>();
    private final Map<String, Kept> held = new HashMap<>();

    public void add(String rel, Print p) {
      if (pending != null) {
        pending.put(rel, p);
        if (pending.size() > MAX_FILES) {
          pending = null;
        }
      }
    }

    /**
     * {@link #add} for a file {@code from} was just found to hold ({@link ContextPrints#holds}):
     * its record carries over without another lstat, unless the sync then writes that name.
     */
    public void addHeld(String rel, Print p, ContextPrints from) {
      add(rel, p);
      Kept k = from.files.get(rel);
      if (pending != null && k != null) {
        held.put(rel, k);
      }
    }

    /** The sync wrote {@code rel} after all (the client sent it too): its copy is new. */
    public void rewritten(String rel) {
      held.remove(rel);
    }

    /**
     * The table of {@code dir} after its sync: a file the manifest named that is now a regular file
     * of the size the client gave, with one link, is recorded with its inode and change time; null
     * past the bound.
     */
    public ContextPrints build(Path dir) throws IOException {
      if (pending == null) {
        return null;
      }
      Map<String, Kept> files = new HashMap<>(Math.max(16, pending.size() * 4 / 3 + 1));
      Set<Path> realDirs = new HashSet<>();
      for (Map.Entry<String, Print> e : pending.entrySet()) {
        Kept k = held.get(e.getKey());
        if (k != null && k.client().equals(e.getValue())) {
          files.put(e.getKey(), k);
          continue;
        }
        Stat st = ContextSync.keptRegularFile(dir, e.getKey(), realDirs);
        if (st != null && st.size() == e.getValue().size()) {
          files.put(e.getKey(), new Kept(e.getValue(), st.ino(), nanos(st.ctime())));
        }
      }
      return new ContextPrints(files);
    }
  }
}
