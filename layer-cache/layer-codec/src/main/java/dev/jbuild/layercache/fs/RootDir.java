package dev.jbuild.layercache.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * A directory that paths from an image, a build context or a step are resolved in, as a chroot
 * would: every symlink met is followed relative to this root (an absolute target restarts here),
 * ".." stops here, and magic links (/proc/self/root, /proc/PID/fd/N) are refused. Nothing named by
 * such a path is ever reached through the host's own symlinks.
 *
 * <p>Resolution is one {@code openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)} call (Linux 5.6+);
 * where the kernel lacks it (ENOSYS) the same rules are applied by a walk component by component
 * with {@code O_PATH|O_NOFOLLOW} opens, each symlink read and re-rooted by us. The result is always
 * a descriptor, so what is done next happens to the file that was found, not to whatever a path
 * names later. Writes go through {@link Dir} (the {@code *at} calls on a directory descriptor).
 *
 * <p>Reading an image-controlled file ({@link #readFile}) never opens anything but a regular file
 * (a fifo would hang, /dev/zero would never end, some devices act on open): the path is resolved to
 * an O_PATH descriptor, its type and size checked, and only then reopened for reading.
 */
public final class RootDir implements AutoCloseable {
  /** How paths are resolved. */
  public enum Resolution {
    /** openat2 when the kernel has it, else the walk. */
    AUTO,
    /** Always the component-by-component walk (the fallback; tests use it on any kernel). */
    WALK
  }

  private static final int MAX_LINKS = 40; // the kernel's limit
  private static volatile boolean openat2Missing;

  private final Path path;
  private final String hostPath;
  private final int fd;
  private final boolean walk;
  private final Dir rootDir;
  private boolean closed;

  private RootDir(Path path, int fd, boolean walk) throws PosixException {
    this.path = path;
    this.fd = fd;
    this.walk = walk;
    this.hostPath = At.readlinkat(At.AT_FDCWD, At.procPath(fd, ""));
    this.rootDir = new Dir(fd, ".", false);
  }

  /** Opens {@code root} (a trusted host path: jbuild's own) as the root. */
  public static RootDir open(Path root) throws IOException {
    return open(root, Resolution.AUTO);
  }

  public static RootDir open(Path root, Resolution how) throws IOException {
    int fd = At.openat(At.AT_FDCWD, root.toString(), At.O_PATH | At.O_DIRECTORY, 0);
    try {
      return new RootDir(root, fd, how == Resolution.WALK || openat2Missing);
    } catch (IOException | RuntimeException e) {
      At.close(fd);
      throw e;
    }
  }

  /** The host path this root was opened by. */
  public Path path() {
    return path;
  }

  /** The root directory itself (closing it does nothing; {@link #close} closes it). */
  public Dir dir() {
    return rootDir;
  }

  /** Whether this root resolves by the walk instead of openat2. */
  public boolean walks() {
    return walk;
  }

  /**
   * Resolves {@code rel} (absolute or relative: both start here) to an O_PATH descriptor, which the
   * caller closes with {@link At#close}.
   *
   * @param followLast whether a symlink as the last component is followed (else the descriptor is
   *     the symlink itself)
   * @param noSymlinks refuse every symlink on the way (ELOOP), for trees that may hold none
   * @throws PosixException ENOENT/ENOTDIR when something on the way is missing, ELOOP for loops,
   *     magic links or (with {@code noSymlinks}) any symlink
   */
  public int resolve(String rel, boolean followLast, boolean noSymlinks) throws PosixException {
    if (!walk) {
      int flags = At.O_PATH | (followLast ? 0 : At.O_NOFOLLOW);
      long resolve =
          At.RESOLVE_IN_ROOT
              | At.RESOLVE_NO_MAGICLINKS
              | (noSymlinks ? At.RESOLVE_NO_SYMLINKS : 0L);
      String p = rel.isEmpty() ? "." : rel;
      for (int attempt = 0; ; attempt++) {
        try {
          return At.openat2(fd, p, flags, resolve);
        } catch (PosixException e) {
          if (e.errno() == Errno.EAGAIN && attempt < 16) {
            continue; // a concurrent rename or mount somewhere: the kernel asks to retry
          }
          if (e.errno() != Errno.ENOSYS) {
            throw new PosixException("resolve", rel, e.errno());
          }
          openat2Missing = true;
          break;
        }
      }
    }
    return walk(rel, followLast, noSymlinks);
  }

  /** The component walk: the same rules as openat2 with RESOLVE_IN_ROOT, done by hand. */
  private int walk(String rel, boolean followLast, boolean noSymlinks) throws PosixException {
    Deque<String> todo = new ArrayDeque<>();
    push(todo, rel);
    Deque<Integer> open = new ArrayDeque<>(); // directories below the root, innermost first
    int links = 0;
    try {
      while (true) {
        dropEmpty(todo);
        if (todo.isEmpty()) {
          int cur = open.isEmpty() ? fd : open.peek();
          return At.openat(cur, ".", At.O_PATH | At.O_DIRECTORY, 0);
        }
        String c = todo.pop();
        if (c.equals("..")) {
          if (!open.isEmpty()) {
            At.close(open.pop());
          }
          continue;
        }
        dropEmpty(todo);
        boolean last = todo.isEmpty();
        int cur = open.isEmpty() ? fd : open.peek();
        int next = At.openat(cur, c, At.O_PATH | At.O_NOFOLLOW, 0);
        Stat st;
        try {
          st = At.fstat(next);
        } catch (PosixException e) {
          At.close(next);
          throw e;
        }
        if (st.isSymlink() && (!last || followLast)) {
          String target;
          try {
            target = At.readlinkat(next, "");
          } finally {
            At.close(next);
          }
          if (noSymlinks || ++links > MAX_LINKS) {
            throw new PosixException("resolve", rel, Errno.ELOOP);
          }
          if (target.startsWith("/")) {
            while (!open.isEmpty()) {
              At.close(open.pop());
            }
          }
          push(todo, target);
          continue;
        }
        if (last) {
          return next;
        }
        if (!st.isDirectory()) {
          At.close(next);
          throw new PosixException("resolve", rel, Errno.ENOTDIR);
        }
        open.push(next);
      }
    } finally {
      for (int d : open) {
        At.close(d);
      }
    }
  }

  private static void dropEmpty(Deque<String> todo) {
    while (!todo.isEmpty() && (todo.peek().isEmpty() || todo.peek().equals("."))) {
      todo.pop();
    }
  }

  private static void push(Deque<String> todo, String path) {
    String[] parts = path.split("/");
    for (int i = parts.length - 1; i >= 0; i--) {
      todo.push(parts[i]);
    }
  }

  /** Opens directory {@code rel} (symlinks on the way followed inside the root). */
  public Dir openDir(String rel) throws PosixException {
    return openDir(rel, false);
  }

  /** Opens directory {@code rel}; with {@code noSymlinks} any symlink on the way is an error. */
  public Dir openDir(String rel, boolean noSymlinks) throws PosixException {
    int d = resolve(rel, true, noSymlinks);
    try {
      Stat st = At.fstat(d);
      if (!st.isDirectory()) {
        throw new PosixException("resolve", rel, Errno.ENOTDIR);
      }
      return new Dir(d, rel, true);
    } catch (PosixException e) {
      At.close(d);
      throw e;
    }
  }

  /** The lstat of {@code rel} (last component not followed), or null when it does not exist. */
  public Stat lstat(String rel) throws PosixException {
    return stat(rel, false);
  }

  /** The stat of {@code rel} (every symlink followed inside the root), or null when absent. */
  public Stat stat(String rel, boolean followLast) throws PosixException {
    int d;
    try {
      d = resolve(rel, followLast, false);
    } catch (PosixException e) {
      if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
        return null;
      }
      throw e;
    }
    try {
      return At.fstat(d);
    } finally {
      At.close(d);
    }
  }

  /**
   * The target of {@code rel} when it is a symlink (read through its own descriptor, parents
   * resolved inside the root); null when it is anything else or does not exist.
   */
  public String readlink(String rel) throws PosixException {
    int d;
    try {
      d = resolve(rel, false, false);
    } catch (PosixException e) {
      if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
        return null;
      }
      throw e;
    }
    try {
      return At.fstat(d).isSymlink() ? At.readlinkat(d, "") : null;
    } finally {
      At.close(d);
    }
  }

  /**
   * Where {@code rel} resolves to, as a clean path relative to the root ("" for the root itself);
   * the last component is followed only when {@code followLast}. Every component must exist.
   */
  public String realPath(String rel, boolean followLast) throws PosixException {
    int d = resolve(rel, followLast, false);
    try {
      String host = At.readlinkat(At.AT_FDCWD, At.procPath(d, ""));
      if (host.equals(hostPath)) {
        return "";
      }
      String prefix = hostPath.equals("/") ? "/" : hostPath + "/";
      if (!host.startsWith(prefix)) {
        throw new PosixException("resolve", rel + " (outside the root: " + host + ")", Errno.EXDEV);
      }
      return host.substring(prefix.length());
    } finally {
      At.close(d);
    }
  }

  /**
   * Reads the regular file {@code rel} (symlinks followed inside the root), at most {@code
   * maxBytes}; empty when it does not exist. Anything else (a fifo, a device, a socket, a
   * directory) or a larger file is a {@link ConfinedFileException} naming the path, and is never
   * opened for reading.
   */
  public Optional<byte[]> readFile(String rel, int maxBytes) throws IOException {
    int d;
    try {
      d = resolve(rel, true, false);
    } catch (PosixException e) {
      if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
        return Optional.empty();
      }
      throw e;
    }
    return Optional.of(readOpened(d, rel, maxBytes));
  }

  /**
   * Reads the regular file at host path {@code file}, whose last component is not followed (its
   * parents must be directories jbuild trusts, e.g. found by a confined lookup), with the checks of
   * {@link #readFile}; empty when it does not exist.
   */
  public static Optional<byte[]> readRegularFile(Path file, int maxBytes) throws IOException {
    int d;
    try {
      d = At.openat(At.AT_FDCWD, file.toString(), At.O_PATH | At.O_NOFOLLOW, 0);
    } catch (PosixException e) {
      if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
        return Optional.empty();
      }
      throw e;
    }
    return Optional.of(readOpened(d, file.toString(), maxBytes));
  }

  /**
   * Checks that O_PATH descriptor {@code d} is a small regular file, reads it, closes {@code d}.
   */
  private static byte[] readOpened(int d, String rel, int maxBytes) throws IOException {
    try {
      Stat st = At.fstat(d);
      if (!st.isRegularFile()) {
        throw new ConfinedFileException(rel, "is " + kind(st) + ", not a regular file", true);
      }
      if (st.size() > maxBytes) {
        throw new ConfinedFileException(rel, "is larger than " + maxBytes + " bytes", false);
      }
      int r =
          At.openat(At.AT_FDCWD, At.procPath(d, ""), At.O_RDONLY | At.O_NONBLOCK | At.O_NOCTTY, 0);
      try {
        byte[] data = At.readUpTo(r, maxBytes + 1, rel);
        if (data.length > maxBytes) {
          throw new ConfinedFileException(rel, "is larger than " + maxBytes + " bytes", false);
        }
        return data;
      } finally {
        At.close(r);
      }
    } finally {
      At.close(d);
    }
  }

  /** "a fifo", "a character device 1:5", ... for messages. */
  public static String kind(Stat st) {
    if (st.isFifo()) {
      return "a fifo";
    }
    if (st.isCharDevice()) {
      return "a character device " + st.rdevMajor() + ":" + st.rdevMinor();
    }
    if (st.isBlockDevice()) {
      return "a block device " + st.rdevMajor() + ":" + st.rdevMinor();
    }
    if (st.isSocket()) {
      return "a socket";
    }
    if (st.isDirectory()) {
      return "a directory";
    }
    if (st.isSymlink()) {
      return "a symlink";
    }
    return "a regular file";
  }

  /** The clean components of {@code rel} (no "", "." or ".."; ".." is refused). */
  public static List<String> components(String rel) {
    List<String> out = new ArrayList<>();
    for (String c : rel.split("/")) {
      if (c.isEmpty() || c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        throw new IllegalArgumentException("'..' in " + rel);
      }
      out.add(c);
    }
    return out;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      At.close(fd);
    }
  }
}
