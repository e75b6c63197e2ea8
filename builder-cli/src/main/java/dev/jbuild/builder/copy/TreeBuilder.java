package dev.jbuild.builder.copy;

import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.builder.errors.BuildErrors;
import dev.jbuild.layercache.fs.At;
import dev.jbuild.layercache.fs.Dir;
import dev.jbuild.layercache.fs.PosixException;
import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.tar.EntryType;
import dev.jbuild.layercache.tar.TarEntry;
import dev.jbuild.layercache.tar.TarNames;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Map.Entry;

/**
 * Builds the unpacked (overlay lower) form of a COPY layer while its blob is written, so the next
 * RUN finds it ready instead of unpacking 900 MB again. Files whose content and metadata equal
 * those of the same step's previous layer are hard-linked from that layer's tree (both are
 * immutable), so an incremental COPY writes only what changed: a {@link Index} per layer records
 * each file's content hash and metadata for the next build to compare with.
 *
 * <p>Entries arrive in canonical order (parents first), as {@link CopyLayer} produces them;
 * directory metadata is applied when the walk leaves the directory, so writing its children does
 * not change its mtime afterwards. File times are the layer's: whole seconds, clamped to
 * SOURCE_DATE_EPOCH, exactly what unpacking the blob would give.
 */
public final class TreeBuilder implements AutoCloseable {
  private final Path root;
  private final RootDir tree;
  private final BuildContext context;
  private final Instant epoch;
  private final RootDir previousTree;
  private final Index previous;
  private final Index written = new Index(new HashMap<>());
  private final Deque<Pending> dirs = new ArrayDeque<>();
  private long linked;
  private boolean closed;
  private String previousDirName;
  private Dir previousDir;

  /**
   * A directory being filled: its entry, its own descriptor, and the directory it sits in (whose
   * descriptor stays open below it on the stack, or is its own when {@code ownsParent}).
   */
  private record Pending(String name, TarEntry entry, Dir dir, Dir parent, boolean ownsParent) {}

  /**
   * @param root an empty directory on the store's file system
   * @param context the build context (files of other trees are copied, never linked)
   * @param epoch SOURCE_DATE_EPOCH or null
   * @param previousTree the previous layer's tree at this step, or null
   * @param previous that tree's index, or null
   */
  public TreeBuilder(
      Path root, BuildContext context, Instant epoch, Path previousTree, Index previous)
      throws IOException {
    this.root = root;
    this.context = context;
    this.epoch = epoch;
    this.previous = previous;
    this.tree = RootDir.open(root);
    RootDir prev = null;
    if (previous != null && previousTree != null) {
      try {
        prev = RootDir.open(previousTree);
      } catch (IOException | RuntimeException e) {
        tree.close();
        throw e;
      }
    }
    this.previousTree = prev;
  }

  public Path root() {
    return root;
  }

  /** How many files were hard-linked from the previous tree. */
  public long linked() {
    return linked;
  }

  public Index index() {
    return written;
  }

  private long seconds(Instant t) {
    Instant m = epoch != null && t.isAfter(epoch) ? epoch : t;
    return m.getEpochSecond();
  }

  /**
   * Writes one entry. Everything is created relative to directory descriptors of this tree, entries
   * are never followed, and a parent is only ever a real directory of this tree (a symlink on the
   * way is an error, not a path to follow), so no entry, whatever a merge emitted, can write
   * outside the tree.
   */
  void add(CopyLayer.Sourced s) throws IOException {
    TarEntry e = s.entry();
    String name = e.name();
    while (!dirs.isEmpty() && !name.startsWith(dirs.peek().name + "/")) {
      finishDir(dirs.pop());
    }
    String parentName = TarNames.parent(name);
    String base = TarNames.baseName(name);
    Dir parent;
    boolean ownsParent = false;
    if (!dirs.isEmpty() && dirs.peek().name.equals(parentName)) {
      parent = dirs.peek().dir;
    } else if (parentName.equals(TarNames.ROOT)) {
      parent = tree.dir();
    } else {
      parent = tree.openDir(parentName, true);
      ownsParent = true;
    }
    try {
      switch (e.type()) {
        case DIR -> {
          Stat st = parent.lstat(base);
          if (st == null) {
            parent.mkdir(base, 0700);
          } else if (!st.isDirectory()) {
            throw BuildErrors.copyToNonDirectory("/" + name);
          }
          dirs.push(new Pending(name, e, parent.openDir(base), parent, ownsParent));
          ownsParent = false;
          return;
        }
        case FILE -> file(s, parent, base);
        case SYMLINK -> {
          parent.symlink(base, e.linkName());
          metadata(parent, base, e);
        }
        case CHAR -> {
          parent.mknod(base, Stat.S_IFCHR | e.mode(), e.devMajor(), e.devMinor());
          metadata(parent, base, e);
        }
        case BLOCK -> {
          parent.mknod(base, Stat.S_IFBLK | e.mode(), e.devMajor(), e.devMinor());
          metadata(parent, base, e);
        }
        case FIFO -> {
          parent.mknod(base, Stat.S_IFIFO | e.mode(), 0, 0);
          metadata(parent, base, e);
        }
        case HARDLINK -> {
          try (Dir from = tree.openDir(TarNames.parent(e.linkName()), true)) {
            parent.link(base, from, TarNames.baseName(e.linkName()));
          }
        }
      }
    } finally {
      if (ownsParent) {
        parent.close();
      }
    }
  }

  private void file(CopyLayer.Sourced s, Dir parent, String base) throws IOException {
    TarEntry e = s.entry();
    Digest hash = null;
    if (s.tree() == context && context != null && s.file() != null) {
      hash = context.contentHash(s.file());
    }
    long mtime = seconds(e.mtime());
    Index.File want =
        hash == null
            ? null
            : new Index.File(hash.hex(), e.size(), mtime, e.mode(), e.uid(), e.gid());
    if (want != null
        && e.xattrs().isEmpty()
        && previousTree != null
        && want.equals(previous.files.get(e.name()))
        && linkPrevious(e, want, mtime, parent, base)) {
      return;
    }
    int out = parent.createFile(base, 0600);
    try {
      if (s.content() != null) {
        At.write(out, s.content(), e.name());
      } else if (e.size() > 0) {
        int in =
            At.openat(
                At.AT_FDCWD, s.path().toString(), At.O_RDONLY | At.O_NOFOLLOW | At.O_NONBLOCK, 0);
        try {
          Stat st = At.fstat(in);
          if (!st.isRegularFile()) {
            throw BuildErrors.noLongerRegularFile(s.path());
          }
          At.copy(in, out, e.size(), s.path().toString());
        } finally {
          At.close(in);
        }
      }
    } finally {
      At.close(out);
    }
    metadata(parent, base, e);
    if (want != null) {
      written.files.put(e.name(), want);
    }
  }

  /** Hard-links an unchanged file from the previous tree; false when that is not possible. */
  private boolean linkPrevious(TarEntry e, Index.File want, long mtime, Dir parent, String base)
      throws IOException {
    Dir old = previousDir(TarNames.parent(e.name()));
    if (old == null) {
      return false;
    }
    String oldBase = TarNames.baseName(e.name());
    Stat st = old.lstat(oldBase);
    if (st == null
        || !st.isRegularFile()
        || st.size() != want.size()
        || st.mtime().getEpochSecond() != mtime
        || st.permissions() != e.mode()
        || st.uid() != e.uid()
        || st.gid() != e.gid()) {
      return false;
    }
    try {
      parent.link(base, old, oldBase);
    } catch (PosixException tooManyLinks) {
      return false; // EMLINK and friends: copy instead
    }
    linked++;
    written.files.put(e.name(), want);
    return true;
  }

  /**
   * The previous tree's directory {@code name} (no symlink on the way), or null when it has none;
   * the last one is kept open, as files of one directory arrive together.
   */
  private Dir previousDir(String name) throws IOException {
    if (name.equals(previousDirName)) {
      return previousDir;
    }
    if (previousDir != null) {
      previousDir.close();
      previousDir = null;
    }
    previousDirName = name;
    try {
      previousDir = previousTree.openDir(name, true);
    } catch (PosixException gone) {
      previousDir = null;
    }
    return previousDir;
  }

  private void finishDir(Pending d) throws IOException {
    try {
      metadata(d.parent, TarNames.baseName(d.name), d.entry);
    } finally {
      d.dir.close();
      if (d.ownsParent) {
        d.parent.close();
      }
    }
  }

  private void metadata(Dir parent, String base, TarEntry e) throws IOException {
    parent.chown(base, e.uid(), e.gid());
    if (e.type() != EntryType.SYMLINK) {
      parent.chmod(base, e.mode());
    }
    for (Entry<String, byte[]> x : e.xattrs().entrySet()) {
      parent.setxattr(base, x.getKey(), x.getValue());
    }
    Instant t = Instant.ofEpochSecond(seconds(e.mtime()));
    parent.setTimes(base, t, t);
  }

  void finish() throws IOException {
    try {
      while (!dirs.isEmpty()) {
        finishDir(dirs.pop());
      }
    } finally {
      close();
    }
  }

  /** Closes every descriptor (after {@link #finish}, or when the copy failed). */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    while (!dirs.isEmpty()) {
      Pending d = dirs.pop();
      d.dir.close();
      if (d.ownsParent) {
        d.parent.close();
      }
    }
    tree.close();
    if (previousDir != null) {
      previousDir.close();
    }
    if (previousTree != null) {
      previousTree.close();
    }
  }

  /** Content hash and metadata of every file of a COPY layer's tree, by entry name. */
  public record Index(Map<String, File> files) {
    private static final int MAGIC = 0x4a425449; // "JBTI"

    /** One file: what must be equal for a hard link to be the same file. */
    public record File(String sha256, long size, long mtime, int mode, long uid, long gid) {}

    /** Reads an index; null when it is missing or unreadable. */
    public static Index read(Path file) {
      Map<String, File> m = new HashMap<>();
      try (DataInputStream in =
          new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
        if (in.readInt() != MAGIC) {
          return null;
        }
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
          String name = in.readUTF();
          m.put(
              name,
              new File(
                  in.readUTF(),
                  in.readLong(),
                  in.readLong(),
                  in.readInt(),
                  in.readLong(),
                  in.readLong()));
        }
        return new Index(m);
      } catch (NoSuchFileException e) {
        return null;
      } catch (IOException e) {
        return null;
      }
    }

    /** Writes the index ({@code AtomicFiles}: temp file, fsync, rename, directory fsync). */
    public void write(Path file) throws IOException {
      dev.jbuild.layercache.store.StorePermissions.createPrivateDirectories(file.getParent());
      dev.jbuild.layercache.store.AtomicFiles.write(
          file,
          raw -> {
            DataOutputStream out = new DataOutputStream(raw);
            writeEntries(out);
            out.flush();
          });
    }

    private void writeEntries(DataOutputStream out) throws IOException {
      {
        out.writeInt(MAGIC);
        out.writeInt(files.size());
        for (Map.Entry<String, File> en : files.entrySet()) {
          File f = en.getValue();
          out.writeUTF(en.getKey());
          out.writeUTF(f.sha256());
          out.writeLong(f.size());
          out.writeLong(f.mtime());
          out.writeInt(f.mode());
          out.writeLong(f.uid());
          out.writeLong(f.gid());
        }
      }
    }
  }
}
