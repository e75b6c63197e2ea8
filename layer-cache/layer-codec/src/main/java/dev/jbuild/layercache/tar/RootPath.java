package dev.jbuild.layercache.tar;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * Resolves names inside a root directory the way a chroot would (like Go's securejoin and
 * containerd's {@code fs.RootPath}): components one by one, ".." clamped at the root, every symlink
 * met on the way read and its target re-rooted (absolute targets start again at the root, relative
 * ones at the symlink's directory). The result is always a path under the root whose parents are
 * real directories (or do not exist yet), so no later operation on it can leave the root. Nothing
 * else may change the tree meanwhile (the applier is its only writer).
 *
 * <p>Directories found real on the way are remembered, so the next names under them cost no lstat
 * (a layer of 30,000 files otherwise lstats every component of every name from the root: 17 calls
 * an entry, most of the applier's time). The writer must call {@link #forget} for every path it
 * removes or replaces; creating does not invalidate anything.
 */
public final class RootPath {
  private static final int MAX_LINKS = 255;

  private final Path root;
  private final NavigableSet<String> directories = new TreeSet<>();

  /** {@code root} must be an existing directory; it is taken by its real path. */
  public RootPath(Path root) throws IOException {
    this.root = root.toRealPath();
  }

  public Path root() {
    return root;
  }

  /**
   * The path of {@code name} inside the root with every component resolved, except that the last
   * one is not followed when {@code followLast} is false (to create, replace or lstat the entry
   * itself).
   *
   * @throws IOException when symlinks loop (more than 255 met)
   */
  public Path resolve(String name, boolean followLast) throws IOException {
    Deque<String> parts = new ArrayDeque<>();
    push(parts, name);
    Path cur = root;
    int links = 0;
    while (!parts.isEmpty()) {
      String c = parts.pollFirst();
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        if (!cur.equals(root)) {
          cur = cur.getParent();
        }
        continue;
      }
      Path next = cur.resolve(c);
      if (!parts.isEmpty() || followLast) {
        if (directories.contains(next.toString())) {
          cur = next;
          continue;
        }
        Stat st = Posix.lstatOrNull(next);
        if (st != null && st.isSymlink()) {
          if (++links > MAX_LINKS) {
            throw new IOException("too many levels of symbolic links resolving " + name);
          }
          String target = Files.readSymbolicLink(next).toString();
          push(parts, target);
          if (target.startsWith("/")) {
            cur = root;
          }
          continue;
        }
        if (st != null && st.isDirectory()) {
          directories.add(next.toString());
        }
      }
      cur = next;
    }
    if (!cur.startsWith(root)) {
      throw new IllegalStateException("resolved " + name + " outside the root: " + cur);
    }
    return cur;
  }

  /** Records that {@code dir} (a result of {@link #resolve}) is now a real directory. */
  public void knownDirectory(Path dir) {
    directories.add(dir.toString());
  }

  /** {@code path} and everything under it are being removed or replaced: forget them. */
  public void forget(Path path) {
    String p = path.toString();
    directories.remove(p);
    directories.subSet(p + "/", true, p + "0", false).clear(); // '0' follows '/'
  }

  /** Whether {@code dir} is remembered as a real directory. */
  public boolean isKnownDirectory(Path dir) {
    return directories.contains(dir.toString());
  }

  /** {@code path} (a result of {@link #resolve}) relative to the root, "." for the root. */
  public String relative(Path path) {
    String r = root.relativize(path).toString();
    return r.isEmpty() ? TarNames.ROOT : r;
  }

  private static void push(Deque<String> parts, String path) {
    String[] split = path.split("/");
    for (int i = split.length - 1; i >= 0; i--) {
      parts.addFirst(split[i]);
    }
  }
}
