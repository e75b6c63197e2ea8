package dev.jbuild.runner.diff;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.tar.DirectoryWalker;
import dev.jbuild.layercache.tar.EntryType;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.TarEntry;
import dev.jbuild.layercache.tar.TarNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Turns an overlay upper directory into a layer in one walk of the upper directory alone:
 *
 * <ul>
 *   <li>a 0/0 character device (a whiteout; tested before hardlink tracking, since the kernel may
 *       make all whiteouts links of one inode) becomes {@code .wh.NAME};
 *   <li>an opaque directory ({@code trusted.overlay.opaque=y}, {@code user.overlay.opaque} in a
 *       user namespace) gets a {@code .wh..wh..opq} marker;
 *   <li>files with more than one link are hardlinks by (dev, ino) within the upper directory;
 *   <li>a directory that is only a copy-up of a lower one (same type, mode, owner, mtime and kept
 *       xattrs) with nothing written below it stays out; one with changes below it is written just
 *       before its first changed child, so every change has its parents in the layer;
 *   <li>owners are numeric, all 07777 mode bits kept, xattrs {@code user.*} and {@code
 *       security.capability} kept.
 * </ul>
 *
 * <p>It also readies the upper directory to become the layer's unpacked form: overlayfs's own
 * xattrs other than the opaque flag are removed and the directories left out of the layer are
 * deleted, so the directory holds exactly what the layer holds.
 */
public final class UpperDiff {
  private static final Predicate<String> KEPT_XATTRS = DirectoryWalker.DEFAULT_XATTRS;
  private static final String OVERLAY_XATTRS = "trusted.overlay.";
  private static final Instant MARKER_TIME = Instant.EPOCH;

  private final LayerWriter writer;
  private final Instant clampTo;
  private final Map<Inode, String> links = new HashMap<>();

  /** Directory entries not written yet: written when something below them is. */
  private final Deque<TarEntry> pending = new ArrayDeque<>();

  private int entries;

  private record Inode(long dev, long ino) {}

  private UpperDiff(LayerWriter writer, Instant clampTo) {
    this.writer = writer;
    this.clampTo = clampTo;
  }

  /**
   * Writes the changes in {@code upper} over {@code lowersTopFirst} to {@code writer}; the number
   * of entries written (0: the step changed nothing).
   */
  public static int write(Path upper, List<Path> lowersTopFirst, LayerWriter writer)
      throws IOException {
    return write(upper, lowersTopFirst, writer, null);
  }

  /**
   * As {@link #write(Path, List, LayerWriter)}; with {@code clampTo} (SOURCE_DATE_EPOCH) the mtimes
   * later than it are also set to it in the upper directory, so that the directory, which becomes
   * the unpacked layer, matches the blob (the writer clamps the entries).
   */
  public static int write(
      Path upper, List<Path> lowersTopFirst, LayerWriter writer, Instant clampTo)
      throws IOException {
    UpperDiff d = new UpperDiff(writer, clampTo);
    d.directory(upper, TarNames.ROOT, LowerView.root(lowersTopFirst), false);
    return d.entries;
  }

  private record Child(byte[] key, String entryName, Path path, Stat stat) {}

  /**
   * Walks the children of upper directory {@code dir} (entry name {@code name}).
   *
   * @param opaque whether the directory hides everything below it (then nothing is looked up)
   */
  private void directory(Path dir, String name, LowerView lower, boolean opaque)
      throws IOException {
    List<Child> children = new ArrayList<>();
    for (String n : DirectoryWalker.sortedNames(dir)) {
      Path p = dir.resolve(n);
      Stat st = Posix.lstatOrNull(p);
      if (st == null || st.isSocket()) {
        continue;
      }
      String base = st.isWhiteout() ? TarNames.WHITEOUT_PREFIX + n : n;
      children.add(
          new Child(base.getBytes(StandardCharsets.UTF_8), TarNames.join(name, base), p, st));
    }
    children.sort((a, b) -> TarNames.SIBLINGS.compare(a.key(), b.key()));
    for (Child c : children) {
      if (c.stat().isWhiteout()) {
        emit(
            new TarEntry(c.entryName(), EntryType.FILE, 0, 0, 0, 0, MARKER_TIME, "", 0, 0, null),
            null);
        continue;
      }
      TreeMap<String, byte[]> xattrs = xattrs(c.path());
      if (c.stat().isDirectory()) {
        childDirectory(c, xattrs, lower, opaque);
        continue;
      }
      TarEntry e = entry(c, xattrs);
      clamp(c.path(), c.stat());
      if (c.stat().nlink() > 1) {
        String first = links.putIfAbsent(new Inode(c.stat().dev(), c.stat().ino()), e.name());
        if (first != null) {
          emit(e.asHardlinkTo(first), null);
          continue;
        }
      }
      emit(e, e.type() == EntryType.FILE ? c.path() : null);
    }
  }

  private void childDirectory(
      Child c, TreeMap<String, byte[]> xattrs, LowerView lower, boolean opaque) throws IOException {
    boolean isOpaque = LowerView.isOpaque(c.path());
    TarEntry e = entry(c, xattrs);
    clamp(c.path(), c.stat());
    Optional<LowerView.Child> below =
        opaque ? Optional.empty() : lower.child(TarNames.baseName(c.entryName()));
    boolean unchanged =
        !isOpaque
            && below.isPresent()
            && below.get().stat().isDirectory()
            && sameMetadata(c.stat(), xattrs, below.get());
    LowerView view = isOpaque || below.isEmpty() ? LowerView.NONE : below.get().view();
    if (unchanged) {
      pending.addLast(e);
      int before = entries;
      directory(c.path(), e.name(), view, false);
      if (entries == before) {
        pending.removeLast();
        try {
          Files.delete(c.path());
        } catch (DirectoryNotEmptyException ignored) {
          // only skipped things (sockets) inside: harmless in the unpacked layer
        }
      }
      return;
    }
    emit(e, null);
    if (isOpaque) {
      emit(
          new TarEntry(
              TarNames.join(e.name(), TarNames.OPAQUE_MARKER),
              EntryType.FILE,
              0,
              0,
              0,
              0,
              MARKER_TIME,
              "",
              0,
              0,
              null),
          null);
    }
    directory(c.path(), e.name(), view, isOpaque || below.isEmpty() || opaque);
  }

  private static boolean sameMetadata(
      Stat st, TreeMap<String, byte[]> xattrs, LowerView.Child lower) throws IOException {
    Stat l = lower.stat();
    if (st.mode() != l.mode()
        || st.uid() != l.uid()
        || st.gid() != l.gid()
        || !st.mtime().equals(l.mtime())) {
      return false;
    }
    TreeMap<String, byte[]> lx = new TreeMap<>();
    for (String x : Posix.llistxattr(lower.path())) {
      if (KEPT_XATTRS.test(x)) {
        Posix.lgetxattr(lower.path(), x).ifPresent(v -> lx.put(x, v));
      }
    }
    if (!lx.keySet().equals(xattrs.keySet())) {
      return false;
    }
    for (Map.Entry<String, byte[]> x : xattrs.entrySet()) {
      if (!Arrays.equals(x.getValue(), lx.get(x.getKey()))) {
        return false;
      }
    }
    return true;
  }

  /** The xattrs to keep; strips overlayfs's bookkeeping (except the opaque flag) from the file. */
  private static TreeMap<String, byte[]> xattrs(Path p) throws IOException {
    TreeMap<String, byte[]> kept = new TreeMap<>();
    for (String x : Posix.llistxattr(p)) {
      if (KEPT_XATTRS.test(x)) {
        Posix.lgetxattr(p, x).ifPresent(v -> kept.put(x, v));
      } else if ((x.startsWith(OVERLAY_XATTRS) || x.startsWith(DirectoryWalker.OVERLAY_USER_XATTRS))
          && !x.equals(LowerView.OPAQUE_XATTR)) {
        Posix.lremovexattr(p, x);
      }
    }
    return kept;
  }

  private static TarEntry entry(Child c, TreeMap<String, byte[]> xattrs) throws IOException {
    Stat st = c.stat();
    String name = c.entryName();
    TarEntry e =
        switch (st.type()) {
          case Stat.S_IFREG -> TarEntry.file(name, st.size());
          case Stat.S_IFDIR -> TarEntry.directory(name);
          case Stat.S_IFLNK -> TarEntry.symlink(name, Files.readSymbolicLink(c.path()).toString());
          case Stat.S_IFCHR -> TarEntry.charDevice(name, st.rdevMajor(), st.rdevMinor());
          case Stat.S_IFBLK -> TarEntry.blockDevice(name, st.rdevMajor(), st.rdevMinor());
          case Stat.S_IFIFO -> TarEntry.fifo(name);
          default -> throw new IOException("unexpected file type in " + c.path());
        };
    return new TarEntry(
        name,
        e.type(),
        st.permissions(),
        st.uid(),
        st.gid(),
        e.size(),
        st.mtime(),
        e.linkName(),
        e.devMajor(),
        e.devMinor(),
        xattrs);
  }

  private void clamp(Path p, Stat st) throws IOException {
    if (clampTo != null && st.mtime().isAfter(clampTo)) {
      Posix.utimensat(p, clampTo, clampTo);
    }
  }

  private void emit(TarEntry e, Path content) throws IOException {
    while (!pending.isEmpty()) {
      writer.add(pending.pollFirst());
      entries++;
    }
    if (content != null) {
      writer.addFile(e, content);
    } else {
      writer.add(e);
    }
    entries++;
  }
}
