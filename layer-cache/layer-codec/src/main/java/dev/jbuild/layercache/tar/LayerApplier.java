package dev.jbuild.layercache.tar;

import dev.jbuild.layercache.fs.Errno;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.PosixException;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.fs.UserNamespace;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Unpacks a layer into a directory, safely. See the module README ("Applying a layer") for the
 * rules; in short:
 *
 * <ul>
 *   <li>Every name is resolved inside the root by {@link RootPath} (symlinks re-rooted, ".."
 *       clamped); names with ".." components are rejected by the reader; hardlink targets are
 *       resolved the same way and must exist inside the root. Nothing is ever written outside it.
 *   <li>Missing parents are created (0755, root-owned). An existing non-directory where a directory
 *       comes is replaced; an existing directory where a non-directory comes is removed with its
 *       contents; an existing file is unlinked before a new one is created (never written through,
 *       so a hardlink or symlink cannot redirect the write).
 *   <li>Ownership by lchown, then the mode by chmod with all 07777 bits (chown clears setuid),
 *       xattrs by lsetxattr, times by utimensat without following symlinks; directory times are set
 *       at the end, deepest first, after their contents.
 *   <li>Whiteouts and opaque markers per {@link ApplyMode}.
 * </ul>
 */
public final class LayerApplier {
  private static final byte[] OPAQUE_VALUE = "y".getBytes(StandardCharsets.UTF_8);

  private final RootPath root;
  private final ApplyOptions options;
  private final List<DirTime> dirTimes = new ArrayList<>();
  // FLAT mode: what this layer wrote (and the parents of it), relative to the root, so an opaque
  // marker removes only what lower layers put in its directory.
  private final Set<String> written = new HashSet<>();
  private long entries;
  private long bytes;

  private record DirTime(Path path, Instant mtime) {}

  /** What an application did. */
  public record Stats(long entries, long bytes) {}

  private LayerApplier(RootPath root, ApplyOptions options) {
    this.root = root;
    this.options = options;
  }

  /** Applies the layer in {@code layer} (any compression) to {@code root}. */
  public static Stats apply(InputStream layer, Path root, ApplyMode mode) throws IOException {
    return apply(layer, root, ApplyOptions.of(mode));
  }

  public static Stats apply(InputStream layer, Path root, ApplyOptions options) throws IOException {
    try (LayerReader reader = LayerReader.open(layer)) {
      return apply(reader, root, options);
    }
  }

  /**
   * Applies the layer blob in file {@code blob} (any compression); an uncompressed blob's file data
   * is copied in the kernel ({@code copy_file_range}) instead of through user space.
   */
  public static Stats apply(Path blob, Path root, ApplyMode mode) throws IOException {
    return apply(blob, root, ApplyOptions.of(mode));
  }

  public static Stats apply(Path blob, Path root, ApplyOptions options) throws IOException {
    try (LayerReader reader = LayerReader.open(blob)) {
      return apply(reader, root, options);
    }
  }

  /** Applies every entry {@code reader} gives to {@code root} (an existing directory). */
  public static Stats apply(LayerReader reader, Path root, ApplyOptions options)
      throws IOException {
    Files.createDirectories(root);
    LayerApplier a = new LayerApplier(new RootPath(root), options);
    for (TarEntry e; (e = reader.next()) != null; ) {
      a.entry(e, reader);
    }
    a.finish();
    return new Stats(a.entries, a.bytes);
  }

  private void entry(TarEntry e, LayerReader reader) throws IOException {
    entries++;
    try {
      if (options.mode() != ApplyMode.PLAIN && (e.isWhiteout() || e.isOpaqueMarker())) {
        whiteout(e);
      } else {
        create(e, reader);
      }
    } catch (LayerFormatException x) {
      throw x;
    } catch (IOException x) {
      throw new IOException(TarErrors.applyFailed(e.name(), describe(x)), x);
    }
  }

  private static String describe(IOException x) {
    String m = x.getMessage();
    return x instanceof PosixException || m == null
        ? String.valueOf(m)
        : x.getClass().getSimpleName() + ": " + m;
  }

  private void whiteout(TarEntry e) throws IOException {
    String dirName = TarNames.parent(e.name());
    Path dir = root.resolve(dirName, true);
    if (e.isOpaqueMarker()) {
      mkdirs(dir);
      if (options.mode() == ApplyMode.OVERLAY) {
        Posix.lsetxattr(dir, UserNamespace.opaqueXattr(), OPAQUE_VALUE);
      } else {
        clearLower(dir);
        markWritten(dir);
      }
      return;
    }
    String victim = TarNames.baseName(e.name()).substring(TarNames.WHITEOUT_PREFIX.length());
    if (victim.isEmpty() || victim.equals(".") || victim.equals("..")) {
      throw new LayerFormatException(
          TarErrors.escapes(e.name(), "whiteout of '" + victim + "' names no entry"));
    }
    Path target = dir.resolve(victim);
    if (options.mode() == ApplyMode.OVERLAY) {
      mkdirs(dir);
      Stat existing = Posix.lstatOrNull(target);
      if (existing != null) {
        remove(target, existing);
      }
      Posix.mknod(target, Stat.S_IFCHR, 0, 0);
      if (options.sameOwner()) {
        Posix.lchown(target, e.uid(), e.gid());
      }
      return;
    }
    Stat existing = Posix.lstatOrNull(target);
    if (existing != null) {
      remove(target, existing);
    }
  }

  private void create(TarEntry e, LayerReader reader) throws IOException {
    Path target = e.name().equals(TarNames.ROOT) ? root.root() : root.resolve(e.name(), false);
    if (!target.equals(root.root())) {
      mkdirs(target.getParent());
    }
    Stat existing = Posix.lstatOrNull(target);
    if (e.type() == EntryType.DIR) {
      if (existing != null && !existing.isDirectory()) {
        remove(target, existing);
        existing = null;
      }
      if (existing == null) {
        Files.createDirectory(target);
      }
      root.knownDirectory(target);
    } else {
      Path linkSource = null;
      if (e.type() == EntryType.HARDLINK) {
        linkSource = root.resolve(e.linkName(), false);
        Stat src = Posix.lstatOrNull(linkSource);
        if (src == null) {
          throw new LayerFormatException(TarErrors.hardlinkTargetMissing(e.name(), e.linkName()));
        }
        if (src.isDirectory()) {
          throw new LayerFormatException(TarErrors.hardlinkToDirectory(e.name(), e.linkName()));
        }
        if (linkSource.equals(target)) {
          markWritten(target);
          return; // a link to itself: already there
        }
      }
      if (existing != null) {
        remove(target, existing);
      }
      switch (e.type()) {
        case FILE -> {
          try (FileChannel out =
              FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            reader.contentTo(out);
          }
          bytes += e.size();
        }
        case SYMLINK -> Files.createSymbolicLink(target, Path.of(e.linkName()));
        case HARDLINK -> {
          Files.createLink(target, linkSource);
          markWritten(target);
          return; // the inode keeps the metadata of the entry that created it
        }
        case CHAR, BLOCK -> {
          int type = e.type() == EntryType.CHAR ? Stat.S_IFCHR : Stat.S_IFBLK;
          try {
            Posix.mknod(target, type | (e.mode() & 0777), e.devMajor(), e.devMinor());
          } catch (PosixException x) {
            if (x.errno() == Errno.EPERM
                && (!options.sameOwner() || !UserNamespace.current().isInitial())) {
              // not root, or root of a user namespace (rootless): devices cannot be created, so
              // they are left out of the unpacked tree, as moby's archive code does in a user
              // namespace; the layer's blob keeps them
              return;
            }
            throw x;
          }
        }
        case FIFO -> Posix.mkfifo(target, e.mode() & 0777);
        case DIR -> throw new IllegalStateException();
      }
    }
    metadata(e, target);
    markWritten(target);
  }

  private void metadata(TarEntry e, Path target) throws IOException {
    if (options.sameOwner()) {
      Posix.lchown(target, e.uid(), e.gid());
    }
    if (e.type() != EntryType.SYMLINK) {
      Posix.chmod(target, e.mode());
    }
    for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
      if (x.getKey().startsWith("trusted.")
          || x.getKey().startsWith(DirectoryWalker.OVERLAY_USER_XATTRS)) {
        continue; // overlayfs's bookkeeping is the store's, never a layer's
      }
      try {
        Posix.lsetxattr(target, x.getKey(), x.getValue());
      } catch (PosixException ex) {
        // user.* xattrs are not allowed on symlinks and devices; filesystems without xattrs
        if (ex.errno() != Errno.EOPNOTSUPP
            && !(ex.errno() == Errno.EPERM
                && e.type() != EntryType.FILE
                && e.type() != EntryType.DIR)) {
          throw ex;
        }
      }
    }
    if (e.type() == EntryType.DIR) {
      dirTimes.add(new DirTime(target, e.mtime()));
    } else {
      Posix.utimensat(target, e.mtime(), e.mtime());
    }
  }

  private void finish() throws IOException {
    for (int i = dirTimes.size() - 1; i >= 0; i--) {
      DirTime d = dirTimes.get(i);
      if (Posix.lstatOrNull(d.path()) instanceof Stat s && s.isDirectory()) {
        Posix.utimensat(d.path(), d.mtime(), d.mtime());
      }
    }
  }

  /** Creates the missing directories of {@code dir} (a resolved path), 0755 and root-owned. */
  private void mkdirs(Path dir) throws IOException {
    if (dir.equals(root.root()) || root.isKnownDirectory(dir)) {
      return;
    }
    Stat st = Posix.lstatOrNull(dir);
    if (st != null) {
      if (!st.isDirectory()) {
        throw new IOException("parent " + root.relative(dir) + " exists and is not a directory");
      }
      root.knownDirectory(dir);
      return;
    }
    mkdirs(dir.getParent());
    Files.createDirectory(dir);
    root.knownDirectory(dir);
    Posix.chmod(dir, 0755);
    if (options.sameOwner()) {
      Posix.lchown(dir, 0, 0);
    }
    markWritten(dir);
  }

  private void markWritten(Path path) {
    if (options.mode() != ApplyMode.FLAT) {
      return;
    }
    String rel = root.relative(path);
    while (!rel.equals(TarNames.ROOT) && written.add(rel)) {
      rel = TarNames.parent(rel);
    }
  }

  /** FLAT opaque marker: removes what {@code dir} holds that this layer did not write. */
  private void clearLower(Path dir) throws IOException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(children::add);
    }
    for (Path child : children) {
      Stat st = Posix.lstatOrNull(child);
      if (st == null) {
        continue;
      }
      if (written.contains(root.relative(child))) {
        if (st.isDirectory()) {
          clearLower(child);
        }
      } else {
        remove(child, st);
      }
    }
  }

  private void remove(Path path, Stat st) throws IOException {
    root.forget(path);
    if (!st.isDirectory()) {
      Files.delete(path);
      return;
    }
    Files.walkFileTree(
        path,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
            if (exc != null) {
              throw exc;
            }
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
