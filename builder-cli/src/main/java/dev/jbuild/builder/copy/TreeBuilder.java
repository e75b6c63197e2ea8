package dev.jbuild.builder.copy;

import dev.jbuild.builder.context.BuildContext;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.tar.TarEntry;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
public final class TreeBuilder {
  private final Path root;
  private final BuildContext context;
  private final Instant epoch;
  private final Path previousTree;
  private final Index previous;
  private final Index written = new Index(new HashMap<>());
  private final Deque<Pending> dirs = new ArrayDeque<>();
  private long linked;

  private record Pending(String name, TarEntry entry) {}

  /**
   * @param root an empty directory on the store's file system
   * @param context the build context (files of other trees are copied, never linked)
   * @param epoch SOURCE_DATE_EPOCH or null
   * @param previousTree the previous layer's tree at this step, or null
   * @param previous that tree's index, or null
   */
  public TreeBuilder(
      Path root, BuildContext context, Instant epoch, Path previousTree, Index previous) {
    this.root = root;
    this.context = context;
    this.epoch = epoch;
    this.previousTree = previous == null ? null : previousTree;
    this.previous = previous;
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

  void add(CopyLayer.Sourced s) throws IOException {
    TarEntry e = s.entry();
    String name = e.name();
    while (!dirs.isEmpty() && !name.startsWith(dirs.peek().name + "/")) {
      finishDir(dirs.pop());
    }
    Path p = root.resolve(name);
    switch (e.type()) {
      case DIR -> {
        if (!Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(p);
        }
        dirs.push(new Pending(name, e));
        return;
      }
      case FILE -> file(s, p);
      case SYMLINK -> {
        Files.createSymbolicLink(p, Path.of(e.linkName()));
        metadata(p, e);
      }
      case CHAR -> {
        Posix.mknod(p, Stat.S_IFCHR | e.mode(), e.devMajor(), e.devMinor());
        metadata(p, e);
      }
      case BLOCK -> {
        Posix.mknod(p, Stat.S_IFBLK | e.mode(), e.devMajor(), e.devMinor());
        metadata(p, e);
      }
      case FIFO -> {
        Posix.mkfifo(p, e.mode());
        metadata(p, e);
      }
      case HARDLINK -> Files.createLink(p, root.resolve(e.linkName()));
    }
  }

  private void file(CopyLayer.Sourced s, Path p) throws IOException {
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
        && previous != null
        && want.equals(previous.files.get(e.name()))) {
      Path old = previousTree.resolve(e.name());
      Stat st = Posix.lstatOrNull(old);
      if (st != null
          && st.isRegularFile()
          && st.size() == want.size()
          && st.mtime().getEpochSecond() == mtime
          && st.permissions() == e.mode()
          && st.uid() == e.uid()
          && st.gid() == e.gid()) {
        try {
          Files.createLink(p, old);
          linked++;
          written.files.put(e.name(), want);
          return;
        } catch (FileSystemException tooManyLinks) {
          // EMLINK and friends: copy instead
        }
      }
    }
    if (s.content() != null) {
      Files.write(p, s.content(), StandardOpenOption.CREATE_NEW);
    } else if (e.size() == 0) {
      Files.createFile(p);
    } else {
      try (FileChannel in = FileChannel.open(s.path(), StandardOpenOption.READ);
          FileChannel out =
              FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        long pos = 0;
        while (pos < e.size()) {
          long n = in.transferTo(pos, e.size() - pos, out);
          if (n <= 0) {
            throw new IOException(s.path() + " shrank while it was copied");
          }
          pos += n;
        }
      }
    }
    metadata(p, e);
    if (want != null) {
      written.files.put(e.name(), want);
    }
  }

  private void finishDir(Pending d) throws IOException {
    metadata(root.resolve(d.name), d.entry);
  }

  private void metadata(Path p, TarEntry e) throws IOException {
    Posix.lchown(p, e.uid(), e.gid());
    if (e.type() != dev.jbuild.layercache.tar.EntryType.SYMLINK) {
      Posix.chmod(p, e.mode());
    }
    for (Entry<String, byte[]> x : e.xattrs().entrySet()) {
      Posix.lsetxattr(p, x.getKey(), x.getValue());
    }
    Instant t = Instant.ofEpochSecond(seconds(e.mtime()));
    Posix.utimensat(p, t, t);
  }

  void finish() throws IOException {
    while (!dirs.isEmpty()) {
      finishDir(dirs.pop());
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
