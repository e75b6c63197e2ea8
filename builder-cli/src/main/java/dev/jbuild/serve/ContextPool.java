package dev.jbuild.serve;

import dev.jbuild.runner.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The directories of the last build contexts, kept between builds in {@code <store>/serve/contexts}
 * (the daemon's own: deleted at its start, {@link ServeRecovery}) so that a rebuild rewrites only
 * what changed ({@link ContextSync}), for the API's builds and client mode's alike: one pool per
 * store in the process. A directory is lent to one build at a time ({@link #take}); the next build
 * with the same key (the client's identity first, then what names its context) gets it back, a
 * concurrent one gets a new empty directory. At most {@code maxContexts} directories and {@code
 * maxBytes} of their files are kept ({@code JBUILD_SERVE_KEPT_CONTEXTS}, default 8, and {@code
 * JBUILD_SERVE_KEPT_CONTEXT_BYTES}, default 4 GiB): the least recently used are deleted first.
 */
public final class ContextPool {
  static final int DEFAULT_MAX_CONTEXTS = 8;
  static final long DEFAULT_MAX_BYTES = 4L << 30;
  private static final Map<Path, ContextPool> POOLS = new ConcurrentHashMap<>();

  private final Path root;
  private final int maxContexts;
  private final long maxBytes;
  private final Map<String, Kept> idle = new LinkedHashMap<>(16, 0.75f, true);
  private long idleBytes;
  private long idlePrints;
  private final AtomicLong next = new AtomicLong();

  /** The most files of kept directories whose prints ({@link ContextPrints}) are kept, in all. */
  static final long MAX_PRINTS = 2L * ContextPrints.MAX_FILES;

  private record Kept(Path dir, long bytes, ContextPrints prints) {
    int printCount() {
      return prints == null ? 0 : prints.size();
    }
  }

  /** A directory lent to a build, with the prints of what it holds (null: none known). */
  public record Loan(Path dir, ContextPrints prints) {}

  ContextPool(Path storeRoot, int maxContexts, long maxBytes) {
    this.root = dir(storeRoot);
    this.maxContexts = maxContexts;
    this.maxBytes = maxBytes;
  }

  /**
   * The pool of the store at {@code storeRoot}, its bounds read from {@code env} when first made.
   */
  public static ContextPool of(Path storeRoot, Map<String, String> env) {
    return POOLS.computeIfAbsent(
        storeRoot.toAbsolutePath().normalize(),
        r ->
            new ContextPool(
                r,
                (int)
                    Math.min(
                        Integer.MAX_VALUE,
                        number(env.get("JBUILD_SERVE_KEPT_CONTEXTS"), DEFAULT_MAX_CONTEXTS)),
                number(env.get("JBUILD_SERVE_KEPT_CONTEXT_BYTES"), DEFAULT_MAX_BYTES)));
  }

  private static long number(String v, long dflt) {
    return v != null && v.strip().matches("[0-9]{1,18}") ? Long.parseLong(v.strip()) : dflt;
  }

  /** Where the pool lives, for the daemon's start-up clean-up. */
  static Path dir(Path storeRoot) {
    return storeRoot.resolve("serve").resolve("contexts");
  }

  /** The key's directory when it is idle (now lent to the caller), else a new empty one. */
  public Path take(String key) throws IOException {
    return lend(key).dir();
  }

  /** {@link #take}, with the prints of what the directory holds. */
  public Loan lend(String key) throws IOException {
    synchronized (this) {
      Kept k = idle.remove(key);
      if (k != null) {
        idleBytes -= k.bytes();
        idlePrints -= k.printCount();
        if (Files.isDirectory(k.dir(), LinkOption.NOFOLLOW_LINKS)) {
          return new Loan(k.dir(), k.prints());
        }
      }
    }
    for (Path d : List.of(root.getParent(), root)) {
      if (!Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
        try {
          Files.createDirectory(
              d,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
          // made by a concurrent build
        }
      }
    }
    Path d = root.resolve(next.incrementAndGet() + "-" + ProcessHandle.current().pid());
    Files.createDirectory(d);
    return new Loan(d, null);
  }

  /**
   * Gives a directory back after a build that made it whole ({@link ContextSync.Session#finish}),
   * holding {@code bytes} of files: kept for the next build with {@code key}, within the bounds.
   */
  public void give(String key, Path dir, long bytes) {
    give(key, dir, bytes, null);
  }

  /**
   * {@link #give}, with the prints of what the directory now holds (null: none). Past {@link
   * #MAX_PRINTS} in all, the least recently used directories lose their prints (not their files).
   */
  public void give(String key, Path dir, long bytes, ContextPrints prints) {
    List<Path> gone = new ArrayList<>();
    synchronized (this) {
      Kept replaced = idle.remove(key);
      if (replaced != null) {
        idleBytes -= replaced.bytes();
        idlePrints -= replaced.printCount();
        if (!replaced.dir().equals(dir)) {
          gone.add(replaced.dir());
        }
      }
      if (bytes > maxBytes || maxContexts < 1) {
        gone.add(dir); // past the bound alone: not kept, and the others stay
      } else {
        Kept k = new Kept(dir, bytes, prints);
        idle.put(key, k);
        idleBytes += bytes;
        idlePrints += k.printCount();
        Iterator<Kept> it = idle.values().iterator();
        while (idle.size() > maxContexts || idleBytes > maxBytes) {
          Kept oldest = it.next();
          it.remove();
          idleBytes -= oldest.bytes();
          idlePrints -= oldest.printCount();
          gone.add(oldest.dir());
        }
        if (idlePrints > MAX_PRINTS) {
          for (Map.Entry<String, Kept> e : idle.entrySet()) {
            Kept old = e.getValue();
            if (idlePrints <= MAX_PRINTS) {
              break;
            }
            if (old.prints() != null) {
              idlePrints -= old.printCount();
              e.setValue(new Kept(old.dir(), old.bytes(), null));
            }
          }
        }
      }
    }
    gone.forEach(Trees::deleteQuietly);
  }

  /** Deletes a directory whose content is not known to be whole (a failed extraction). */
  public void discard(Path dir) {
    Trees.deleteQuietly(dir);
  }
}
