package dev.jbuild.builder.copy;

import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.context.ContextFile;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.tar.DirectoryWalker;
import dev.jbuild.layercache.tar.EntryType;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.TarEntry;
import dev.jbuild.layercache.tar.TarNames;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * Writes the layer of a COPY or ADD straight from its sources: no container, no copy into a
 * snapshot. Entries stream in canonical order (the sources' sorted walks merged), so memory stays
 * flat whatever the number of files.
 *
 * <p>Docker's rules: a directory source has its contents copied; a file source lands at the
 * destination itself, unless the destination ends with '/', names an existing directory, or there
 * are several sources, in which case it lands inside it under its own name. Missing parent
 * directories, and a missing destination directory (a directory source's own metadata is never
 * copied), are created (0755, owned by the --chown owner or root, stamped now); existing ones
 * appear in the layer with their current metadata, so unpacking the layer never changes them.
 * Symlinks in the destination path are followed inside the image's root filesystem. When two
 * sources give the same name, the later one wins, except that (as in BuildKit) a non-directory
 * never replaces an earlier source's directory nor a directory an earlier non-directory: see {@link
 * Merge}.
 */
public final class CopyLayer {
  private CopyLayer() {}

  /**
   * How entries are owned and stamped.
   *
   * @param uid owner of everything copied and created (0 without --chown)
   * @param gid group of everything copied and created
   * @param chowned true with --chown (then even unpacked archives get {@code uid:gid})
   * @param chmod the --chmod mode for copied files and directories, or null to keep the source's
   * @param now the mtime of directories this copy creates
   */
  public record Attributes(long uid, long gid, boolean chowned, Chmod chmod, Instant now) {}

  /** A --chmod: octal, or symbolic (relative to the current mode, like chmod(1)). */
  @FunctionalInterface
  public interface Chmod {
    int apply(int current, boolean directory);
  }

  /**
   * Writes the entries into {@code writer} (which the caller finishes).
   *
   * @param rootfs the image's root filesystem before this step (a mounted view), or null for
   *     scratch and COPY --link, where the destination is taken as written
   * @param dest the absolute destination; a trailing '/' makes it a directory
   */
  public static void write(
      LayerWriter writer, RootfsView rootfs, List<CopyItem> items, String dest, Attributes attrs)
      throws IOException {
    write(writer, rootfs, items, dest, attrs, null);
  }

  /**
   * Writes the layer and, when {@code tree} is given, its unpacked form at the same time (so a
   * later RUN does not unpack the blob again).
   */
  public static void write(
      LayerWriter writer,
      RootfsView rootfs,
      List<CopyItem> items,
      String dest,
      Attributes attrs,
      TreeBuilder tree)
      throws IOException {
    try {
      Iterator<Sourced> merged = stream(rootfs, items, dest, attrs);
      while (merged.hasNext()) {
        Sourced s = merged.next();
        add(writer, s);
        if (tree != null) {
          tree.add(s);
        }
      }
      if (tree != null) {
        tree.finish();
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * The layer's entries in canonical order, with where their bytes come from. Lazy: it may be
   * walked again (a resumed write first checks which prefix is unchanged).
   */
  static Iterator<Sourced> stream(
      RootfsView rootfs, List<CopyItem> items, String dest, Attributes attrs) throws IOException {
    Destination d = Destination.resolve(rootfs, dest, items);
    List<Iterator<Sourced>> sources = new ArrayList<>();
    sources.add(parents(d, rootfs, attrs).iterator());
    for (CopyItem item : items) {
      sources.add(entries(item, d, attrs));
    }
    return new Merge(sources);
  }

  /** Adds one entry, with its content, to the layer. */
  static void add(LayerWriter writer, Sourced s) throws IOException {
    TarEntry e = s.entry;
    if (e.type() == EntryType.FILE && e.size() > 0) {
      if (s.content != null) {
        writer.add(e, new ByteArrayInputStream(s.content));
      } else {
        writer.addFile(e, s.path);
      }
    } else {
      writer.add(e);
    }
  }

  /**
   * An entry with where its bytes come from (a file, given bytes, or nothing) and, for a file of a
   * tree, that tree and file (so its content hash can be asked for).
   */
  record Sourced(TarEntry entry, Path path, byte[] content, BuildContext tree, ContextFile file) {
    Sourced(TarEntry entry, Path path, byte[] content) {
      this(entry, path, content, null, null);
    }
  }

  /** The destination's missing or existing parents, and the destination directory itself. */
  private static List<Sourced> parents(Destination d, RootfsView rootfs, Attributes attrs)
      throws IOException {
    List<Sourced> out = new ArrayList<>();
    if (d.name().equals(TarNames.ROOT)) {
      return out;
    }
    String[] parts = d.name().split("/");
    StringBuilder name = new StringBuilder();
    int upto = d.isDir() ? parts.length : parts.length - 1;
    for (int i = 0; i < upto; i++) {
      if (i > 0) {
        name.append('/');
      }
      name.append(parts[i]);
      String n = name.toString();
      Stat st = rootfs == null ? null : rootfs.lstat(n);
      if (st != null && st.isDirectory()) {
        out.add(new Sourced(fromDisk(n, rootfs.file(n), st), null, null));
      } else {
        // also the destination of a directory source: Docker copies the directory's contents,
        // never the directory itself, so a new destination is a new 0755 directory
        out.add(new Sourced(newDirectory(n, attrs), null, null));
      }
    }
    return out;
  }

  private static TarEntry newDirectory(String name, Attributes attrs) {
    return TarEntry.directory(name).withOwner(attrs.uid(), attrs.gid()).withMtime(attrs.now());
  }

  private static Iterator<Sourced> entries(CopyItem item, Destination d, Attributes attrs) {
    return switch (item) {
      case CopyItem.Inline in -> {
        String name = d.isDir() ? join(d.name(), in.name()) : d.name();
        TarEntry e =
            TarEntry.file(name, in.content().length).withMode(in.mode()).withMtime(in.mtime());
        yield List.of(new Sourced(owned(e, attrs, true), null, in.content())).iterator();
      }
      case CopyItem.Tree t -> treeEntries(t, d, attrs);
    };
  }

  private static Iterator<Sourced> treeEntries(CopyItem.Tree t, Destination d, Attributes attrs) {
    List<Sourced> head = new ArrayList<>();
    ContextFile src = t.source();
    String pp = t.parentPath();
    if (!pp.isEmpty()) {
      // --parents: the directories between the destination and the source, as in the source tree
      String[] parts = pp.split("/");
      int dirs = t.isDirectory() ? parts.length : parts.length - 1;
      String rel = "";
      for (int i = 0; i < dirs; i++) {
        rel = rel.isEmpty() ? parts[i] : rel + "/" + parts[i];
        Path p = t.tree().root().resolve(rel);
        Stat st = lstat(p);
        TarEntry e =
            st != null && st.isDirectory()
                ? fromDisk(join(d.name(), rel), p, st)
                : TarEntry.directory(join(d.name(), rel)).withMtime(attrs.now());
        head.add(new Sourced(owned(e, attrs, i == dirs - 1 && t.isDirectory()), null, null));
      }
    }
    if (!t.isDirectory()) {
      String name;
      if (d.isDir()) {
        name = join(d.name(), pp.isEmpty() ? t.name() : pp);
      } else {
        name = d.name();
      }
      head.add(
          new Sourced(
              owned(fromDisk(name, src.path(), src.stat()), attrs, true), src.path(), null));
      return head.iterator();
    }
    String top = pp.isEmpty() ? d.name() : join(d.name(), pp);
    Iterator<ContextFile> walk = t.tree().walk(src, t.excludes());
    int strip = src.rel().isEmpty() ? 0 : src.rel().length() + 1;
    // Hard links among one source's files stay hard links (as BuildKit's copy keeps them): the
    // first name in walk order carries the content, later ones link to it.
    Map<String, String> firstByInode = new HashMap<>();
    Iterator<Sourced> children =
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            return walk.hasNext();
          }

          @Override
          public Sourced next() {
            ContextFile f = walk.next();
            String name = join(top, f.rel().substring(strip));
            TarEntry raw = fromDisk(name, f.path(), f.stat());
            TarEntry e =
                t.keepOwners() && !attrs.chowned()
                    ? owned(
                        raw,
                        new Attributes(raw.uid(), raw.gid(), false, attrs.chmod(), attrs.now()),
                        true)
                    : owned(raw, attrs, true);
            if (!f.stat().isRegularFile()) {
              return new Sourced(e, null, null);
            }
            if (f.stat().nlink() > 1) {
              String inode = f.stat().dev() + ":" + f.stat().ino();
              String first = firstByInode.putIfAbsent(inode, name);
              if (first != null) {
                return new Sourced(e.asHardlinkTo(first), null, null);
              }
            }
            return new Sourced(e, f.path(), null, t.tree(), f);
          }
        };
    return concat(head.iterator(), children);
  }

  private static <T> Iterator<T> concat(Iterator<T> a, Iterator<T> b) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return a.hasNext() || b.hasNext();
      }

      @Override
      public T next() {
        return a.hasNext() ? a.next() : b.next();
      }
    };
  }

  static TarEntry owned(TarEntry e, Attributes a, boolean applyChmod) {
    TarEntry out = e.withOwner(a.uid(), a.gid());
    if (applyChmod && a.chmod() != null && e.type() != EntryType.SYMLINK) {
      out = out.withMode(a.chmod().apply(e.mode(), e.type() == EntryType.DIR) & 07777);
    }
    return out;
  }

  static String join(String dir, String name) {
    if (dir.equals(TarNames.ROOT)) {
      return name.isEmpty() ? TarNames.ROOT : name;
    }
    return name.isEmpty() ? dir : dir + "/" + name;
  }

  static TarEntry fromDisk(String name, Path path, Stat st) {
    try {
      TarEntry e = DirectoryWalker.entryFor(name, path, st, DirectoryWalker.DEFAULT_XATTRS);
      if (e == null) {
        throw BuildErrors.socketSource(path);
      }
      return e;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Stat lstat(Path p) {
    try {
      return Posix.lstatOrNull(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Entries of all sources merged by name, as BuildKit copies several sources one after the other
   * into the destination: for equal names the last source wins, directories merge, and a source may
   * replace a file or symlink of an earlier one with a file or symlink. A non-directory where an
   * earlier source put a directory, or a directory where an earlier source put a non-directory, is
   * an error (BuildKit's words: "cannot replace to directory X with file", "cannot copy to
   * non-directory: X"), so the entries an earlier directory brought can never land below a later
   * symlink.
   */
  static final class Merge implements Iterator<Sourced> {
    private record Head(Sourced s, int index, Iterator<Sourced> rest) {}

    private final PriorityQueue<Head> heads =
        new PriorityQueue<>(
            (a, b) -> {
              int c = TarNames.ORDER.compare(a.s.entry().name(), b.s.entry().name());
              return c != 0 ? c : Integer.compare(b.index, a.index);
            });

    Merge(List<? extends Iterator<Sourced>> sources) {
      for (int i = 0; i < sources.size(); i++) {
        advance(i, sources.get(i));
      }
    }

    private void advance(int i, Iterator<Sourced> it) {
      if (it.hasNext()) {
        heads.add(new Head(it.next(), i, it));
      }
    }

    @Override
    public boolean hasNext() {
      return !heads.isEmpty();
    }

    @Override
    public Sourced next() {
      Head h = heads.poll();
      if (h == null) {
        throw new NoSuchElementException();
      }
      String name = h.s.entry().name();
      advance(h.index, h.rest);
      Head later = h;
      while (!heads.isEmpty() && heads.peek().s.entry().name().equals(name)) {
        Head earlier = heads.poll();
        conflict(earlier.s.entry(), later.s.entry());
        advance(earlier.index, earlier.rest);
        later = earlier;
      }
      return h.s;
    }

    /** BuildKit's refusals when a later source's entry meets an earlier one's of the same name. */
    private static void conflict(TarEntry earlier, TarEntry later) {
      boolean wasDir = earlier.type() == EntryType.DIR;
      boolean isDir = later.type() == EntryType.DIR;
      String path = "/" + later.name();
      if (wasDir && !isDir) {
        throw new UncheckedIOException(BuildErrors.replaceDirectoryWithFile(path));
      }
      if (!wasDir && isDir) {
        throw new UncheckedIOException(BuildErrors.copyToNonDirectory(path));
      }
    }
  }
}
