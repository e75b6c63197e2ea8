package dev.jbuild.layercache.tar;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Walks a directory tree in canonical layer order (depth-first, siblings sorted by name bytes) and
 * turns what it finds into {@link TarEntry}s: numeric owners, all 07777 mode bits, nanosecond
 * mtimes, device numbers, symlink targets, selected xattrs, and hardlinks detected by (dev, ino):
 * the first path in walk order is written as a file, later ones as HARDLINK entries naming it.
 * Sockets are skipped (tar cannot hold them). The root directory itself is not an entry.
 *
 * <p>A {@link Hook} rewrites or drops entries and adds extra ones, so the runner's diff capture
 * (whiteout devices to {@code .wh.} files, opaque directories to {@code .wh..wh..opq} markers) and
 * the builder's COPY (new names, owners, modes) reuse the walk; {@link #sortedNames} and {@link
 * #entryFor} are the pieces for callers that walk differently.
 */
public final class DirectoryWalker {
  /** overlayfs's own attributes when it is mounted with {@code userxattr} (rootless). */
  public static final String OVERLAY_USER_XATTRS = "user.overlay.";

  /**
   * The xattrs kept by default: {@code user.*} and {@code security.capability} (file capabilities,
   * as Docker keeps). Dropped: {@code trusted.*} and {@code user.overlay.*} (overlayfs bookkeeping,
   * the latter in a user namespace, such as the opaque flag, turned into markers instead), {@code
   * security.selinux} (a label of the build host, not of the image), {@code system.posix_acl_*}
   * (Docker drops them too).
   */
  public static final Predicate<String> DEFAULT_XATTRS =
      n ->
          (n.startsWith("user.")
                  && !n.startsWith(OVERLAY_USER_XATTRS)
                  && !n.startsWith("user.fuseoverlayfs."))
              || n.equals("security.capability");

  private DirectoryWalker() {}

  /** A file the walk found: its path, its canonical name below the walk root, its lstat. */
  public record WalkedFile(Path path, String name, Stat stat) {}

  /** Receives entries in order; {@code source} is the file to read for a FILE entry, else null. */
  @FunctionalInterface
  public interface Sink {
    void accept(TarEntry entry, Path source) throws IOException;
  }

  /** Customises the walk. Every method has a default that writes the tree as it is. */
  public interface Hook {
    /**
     * The entry to write for {@code file} ({@code entry} is what the walker made of it), or null to
     * skip it and, for a directory, everything below it. The name may change only in its last
     * component (the walker sorts siblings by the names returned here).
     */
    default TarEntry entry(WalkedFile file, TarEntry entry) throws IOException {
      return entry;
    }

    /**
     * Extra entries inside directory {@code dir} (e.g. an opaque marker); they are sorted among the
     * directory's children. {@code dirName} is the directory's entry name ("." or the prefix for
     * the walk root).
     */
    default List<TarEntry> extraChildren(WalkedFile dir, String dirName) throws IOException {
      return List.of();
    }

    /**
     * Whether {@code file} takes part in hardlink detection. Default: non-directories with more
     * than one link, except overlayfs whiteout devices (on recent kernels all whiteouts are links
     * of one inode).
     */
    default boolean trackHardlink(WalkedFile file, TarEntry entry) {
      return !file.stat().isDirectory() && file.stat().nlink() > 1 && !file.stat().isWhiteout();
    }
  }

  /**
   * How to walk.
   *
   * @param namePrefix canonical name put in front of every entry name ("." for none)
   * @param xattrs which xattrs to record
   * @param hook rewrites, drops and adds entries
   */
  public record Options(String namePrefix, Predicate<String> xattrs, Hook hook) {
    public Options {
      String problem = TarNames.problem(namePrefix);
      if (problem != null) {
        throw new IllegalArgumentException("invalid name prefix '" + namePrefix + "': " + problem);
      }
      Objects.requireNonNull(xattrs, "xattrs");
      Objects.requireNonNull(hook, "hook");
    }

    public static Options defaults() {
      return new Options(TarNames.ROOT, DEFAULT_XATTRS, new Hook() {});
    }

    public Options withNamePrefix(String prefix) {
      return new Options(prefix, xattrs, hook);
    }

    public Options withXattrs(Predicate<String> filter) {
      return new Options(namePrefix, filter, hook);
    }

    public Options withHook(Hook h) {
      return new Options(namePrefix, xattrs, h);
    }
  }

  /** Walks {@code root} and adds every entry to {@code writer} (file content read from disk). */
  public static void writeTo(Path root, Options options, LayerWriter writer) throws IOException {
    walk(
        root,
        options,
        (entry, source) -> {
          if (source != null) {
            writer.addFile(entry, source);
          } else {
            writer.add(entry);
          }
        });
  }

  /** Walks {@code root}, giving every entry to {@code sink} in canonical order. */
  public static void walk(Path root, Options options, Sink sink) throws IOException {
    Stat rootStat = Posix.lstat(root);
    if (!rootStat.isDirectory()) {
      throw new IOException("not a directory: " + root);
    }
    new Walk(options, sink)
        .directory(new WalkedFile(root, TarNames.ROOT, rootStat), options.namePrefix());
  }

  /** The names in {@code dir} in sibling order ({@link TarNames#SIBLINGS}). */
  public static List<String> sortedNames(Path dir) throws IOException {
    List<byte[]> keys = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        keys.add(p.getFileName().toString().getBytes(StandardCharsets.UTF_8));
      }
    }
    keys.sort(TarNames.SIBLINGS);
    List<String> names = new ArrayList<>(keys.size());
    for (byte[] k : keys) {
      names.add(new String(k, StandardCharsets.UTF_8));
    }
    return names;
  }

  /**
   * The entry for {@code path} as found on disk (null for a socket), named {@code name}, with the
   * xattrs {@code xattrs} accepts.
   */
  public static TarEntry entryFor(String name, Path path, Stat stat, Predicate<String> xattrs)
      throws IOException {
    TarEntry e =
        switch (stat.type()) {
          case Stat.S_IFREG -> TarEntry.file(name, stat.size());
          case Stat.S_IFDIR -> TarEntry.directory(name);
          case Stat.S_IFLNK -> TarEntry.symlink(name, Files.readSymbolicLink(path).toString());
          case Stat.S_IFCHR -> TarEntry.charDevice(name, stat.rdevMajor(), stat.rdevMinor());
          case Stat.S_IFBLK -> TarEntry.blockDevice(name, stat.rdevMajor(), stat.rdevMinor());
          case Stat.S_IFIFO -> TarEntry.fifo(name);
          default -> null;
        };
    if (e == null) {
      return null;
    }
    TreeMap<String, byte[]> kept = new TreeMap<>();
    for (String x : Posix.llistxattr(path)) {
      if (xattrs.test(x)) {
        Posix.lgetxattr(path, x).ifPresent(v -> kept.put(x, v));
      }
    }
    return new TarEntry(
        e.name(),
        e.type(),
        stat.permissions(),
        stat.uid(),
        stat.gid(),
        e.size(),
        stat.mtime(),
        e.linkName(),
        e.devMajor(),
        e.devMinor(),
        kept);
  }

  private record Child(byte[] key, WalkedFile file, TarEntry entry) {}

  private record Inode(long dev, long ino) {}

  private static final class Walk {
    private final Options options;
    private final Sink sink;
    private final Map<Inode, String> links = new HashMap<>();

    Walk(Options options, Sink sink) {
      this.options = options;
      this.sink = sink;
    }

    void directory(WalkedFile dir, String dirName) throws IOException {
      List<Child> children = new ArrayList<>();
      for (String n : sortedNames(dir.path())) {
        Path p = dir.path().resolve(n);
        Stat st = Posix.lstatOrNull(p);
        if (st == null) {
          continue; // vanished since the listing
        }
        WalkedFile f = new WalkedFile(p, TarNames.join(dir.name(), n), st);
        TarEntry proposed = entryFor(TarNames.join(dirName, n), p, st, options.xattrs());
        if (proposed == null) {
          continue;
        }
        TarEntry e = options.hook().entry(f, proposed);
        if (e == null) {
          continue;
        }
        if (!TarNames.parent(e.name()).equals(dirName)) {
          throw new IllegalArgumentException(
              "walk hook moved " + proposed.name() + " to another directory: " + e.name());
        }
        children.add(new Child(key(e), f, e));
      }
      for (TarEntry extra : options.hook().extraChildren(dir, dirName)) {
        if (!TarNames.parent(extra.name()).equals(dirName)) {
          throw new IllegalArgumentException(
              "walk hook added " + extra.name() + " outside directory " + dirName);
        }
        children.add(new Child(key(extra), null, extra));
      }
      children.sort((a, b) -> TarNames.SIBLINGS.compare(a.key(), b.key()));
      for (Child c : children) {
        emit(c);
      }
    }

    private void emit(Child c) throws IOException {
      TarEntry e = c.entry();
      if (c.file() == null) {
        sink.accept(e, null);
        return;
      }
      if (options.hook().trackHardlink(c.file(), e) && e.type() != EntryType.DIR) {
        Inode id = new Inode(c.file().stat().dev(), c.file().stat().ino());
        String first = links.putIfAbsent(id, e.name());
        if (first != null) {
          sink.accept(e.asHardlinkTo(first), null);
          return;
        }
      }
      if (e.type() == EntryType.FILE && c.file().stat().isRegularFile()) {
        sink.accept(e, c.file().path());
      } else {
        sink.accept(e, null);
      }
      if (e.type() == EntryType.DIR && c.file().stat().isDirectory()) {
        directory(c.file(), e.name());
      }
    }

    private static byte[] key(TarEntry e) {
      return TarNames.baseName(e.name()).getBytes(StandardCharsets.UTF_8);
    }
  }
}
