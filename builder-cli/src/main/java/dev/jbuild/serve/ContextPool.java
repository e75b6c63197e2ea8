package dev.jbuild.serve;

import dev.jbuild.runner.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The directories of the last build contexts, kept between builds in {@code <store>/serve/contexts}
 * (the daemon's own: deleted at its start) so that a rebuild rewrites only what changed ({@link
 * ContextSync}). A directory is lent to one build at a time; the next build with the same key
 * (client, tags, Dockerfile) gets it back. At most {@link #MAX} are kept; the oldest is deleted.
 */
final class ContextPool {
  static final int MAX = 4;
  private final Path root;
  private final Map<String, Path> idle = new LinkedHashMap<>(16, 0.75f, true);
  private final AtomicLong next = new AtomicLong();

  ContextPool(Path storeRoot) {
    this.root = storeRoot.resolve("serve").resolve("contexts");
  }

  /** Where the pool lives, for the daemon's start-up clean-up. */
  static Path dir(Path storeRoot) {
    return storeRoot.resolve("serve").resolve("contexts");
  }

  /** The key's directory when it is idle, else a new empty one. */
  Path take(String key) throws IOException {
    synchronized (this) {
      Path d = idle.remove(key);
      if (d != null && Files.isDirectory(d)) {
        return d;
      }
    }
    Files.createDirectories(root);
    Path d =
        root.resolve(Long.toString(next.incrementAndGet()) + "-" + ProcessHandle.current().pid());
    Files.createDirectory(d);
    return d;
  }

  /** Gives a directory back after a build that read it completely (kept for the next). */
  void give(String key, Path dir) {
    Path evicted = null;
    Path replaced;
    synchronized (this) {
      replaced = idle.put(key, dir);
      if (idle.size() > MAX) {
        Iterator<Map.Entry<String, Path>> it = idle.entrySet().iterator();
        evicted = it.next().getValue();
        it.remove();
      }
    }
    if (replaced != null && !replaced.equals(dir)) {
      Trees.deleteQuietly(replaced);
    }
    if (evicted != null) {
      Trees.deleteQuietly(evicted);
    }
  }

  /** Deletes a directory whose content is not known to be whole (a failed extraction). */
  void discard(Path dir) {
    Trees.deleteQuietly(dir);
  }
}
