package dev.jbuild.layercache.tar;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resolves names inside a root directory the way a chroot would (like Go's securejoin and
 * containerd's {@code fs.RootPath}): components one by one, ".." clamped at the root, every symlink
 * met on the way read and its target re-rooted (absolute targets start again at the root, relative
 * ones at the symlink's directory). The result is always a path under the root whose parents are
 * real directories (or do not exist yet), so no later operation on it can leave the root. Nothing
 * else may change the tree meanwhile (the applier is its only writer).
 */
public final class RootPath {
  private static final int MAX_LINKS = 255;

  private final Path root;

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
      }
      cur = next;
    }
    if (!cur.startsWith(root)) {
      throw new IllegalStateException("resolved " + name + " outside the root: " + cur);
    }
    return cur;
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
