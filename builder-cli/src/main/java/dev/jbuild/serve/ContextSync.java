package dev.jbuild.serve;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.tar.ApplyMode;
import dev.jbuild.layercache.tar.EntryType;
import dev.jbuild.layercache.tar.LayerApplier;
import dev.jbuild.layercache.tar.LayerReader;
import dev.jbuild.layercache.tar.TarEntry;
import dev.jbuild.layercache.tar.TarNames;
import dev.jbuild.runner.Trees;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.Set;

/**
 * The one mechanism of the daemon's kept build contexts, for both of its paths: the Docker API's
 * {@code POST /build} ({@link ContextTar}) and client mode ({@code jbuild --host ... build}, {@code
 * cli.ClientCalls}). Makes a directory that holds the previous context of a build ({@link
 * ContextPool}) equal to a new context tar while rewriting only what changed, so that the files
 * that did not change keep their inodes and times and the context's hash cache knows them (both
 * clients send the whole context each build; most of a no-op rebuild was writing it out again).
 *
 * <p>A regular file of the tar is left alone when the directory has, at the same path and through
 * real directories only (no symlink on the way), a regular file with one link, the same size, mode,
 * owner and mtime and the same bytes (compared as the tar streams in, never assumed from the
 * metadata, which the client chooses). Every other entry goes into a delta tar that the confined
 * applier ({@link LayerApplier}) writes, after what the tar does not name was deleted (without
 * following links). Names seen twice always go to the delta.
 */
public final class ContextSync {
  private ContextSync() {}

  /** What a sync did, for the log and tests; {@code bytes}: the regular files' sizes. */
  public record Stats(int kept, int written, int deleted, long bytes) {}

  /**
   * Reads the context tar from {@code tar} (any compression the layer codec knows) and makes {@code
   * dir} (empty for a first build) equal to it. The delta is written to {@code deltaFile}, at most
   * {@code maxBytes}.
   */
  static Stats sync(InputStream tar, Path dir, Path deltaFile, long maxBytes) throws IOException {
    try (LayerReader r = LayerReader.open(tar);
        Session s = new Session(dir, deltaFile, maxBytes)) {
      for (TarEntry e; (e = r.next()) != null; ) {
        s.offer(e, r.content());
      }
      return s.finish();
    }
  }

  /**
   * One sync fed entry by entry (client mode splits one upload among several contexts): {@link
   * #offer} each entry of the new context with its name relative to {@code dir}, then {@link
   * #finish}. Closed without {@code finish}, the directory is not whole: the caller discards it.
   */
  public static final class Session implements AutoCloseable {
    private final Path dir;
    private final Path deltaFile;
    private final OutputStream os;
    private final DeltaTar delta;
    private final Set<String> names = new HashSet<>();
    private final Set<String> dirs = new HashSet<>();
    private final Set<String> seen = new HashSet<>();
    private final Set<Path> realDirs = new HashSet<>();
    private final Buffers buffers = new Buffers();
    private int kept;
    private int written;
    private long bytes;
    private boolean closed;

    public Session(Path dir, Path deltaFile, long maxBytes) throws IOException {
      this.dir = dir;
      this.deltaFile = deltaFile;
      this.os =
          bounded(new BufferedOutputStream(Files.newOutputStream(deltaFile), 1 << 16), maxBytes);
      this.delta = new DeltaTar(os);
    }

    /** One entry of the new context and its content (read to its end here). */
    public void offer(TarEntry e, InputStream content) throws IOException {
      String name = e.name();
      boolean duplicate = !seen.add(name);
      addWithParents(names, dirs, name);
      if (e.type() == EntryType.DIR) {
        dirs.add(name);
      }
      if (e.type() == EntryType.FILE) {
        bytes += e.size();
      }
      Path existing =
          duplicate || e.type() != EntryType.FILE || !e.xattrs().isEmpty()
              ? null
              : sameMetadata(dir, e, realDirs);
      if (existing != null && sameBytesOrDivert(existing, e, content, delta, buffers)) {
        kept++;
      } else {
        if (existing == null) {
          delta.add(e, content);
        }
        written++;
      }
    }

    /**
     * A regular file of {@code size} bytes the directory already holds as the client has it (the
     * client left its content out: {@link ContextPrints#holds}): named, so kept.
     */
    public void keep(String name, long size) {
      if (!seen.add(name)) {
        return; // named twice: counted once
      }
      addWithParents(names, dirs, name);
      bytes += size;
      kept++;
    }

    /** Deletes what the new context does not name and writes the delta. */
    public Stats finish() throws IOException {
      close();
      int deleted = deleteUnnamed(dir, names, dirs);
      LayerApplier.apply(deltaFile, dir, ApplyMode.PLAIN);
      return new Stats(kept, written, deleted, bytes);
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        closed = true;
        try (os) {
          delta.close();
        }
      }
    }
  }

  /** At most {@code max} bytes; more is an IOException carrying a 413. */
  private static OutputStream bounded(OutputStream out, long max) {
    return new java.io.FilterOutputStream(out) {
      private long total;

      @Override
      public void write(int b) throws IOException {
        count(1);
        out.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        count(len);
        out.write(b, off, len);
      }

      private void count(long n) throws IOException {
        total += n;
        if (total > max) {
          throw new IOException(
              new ApiException(413, "the build context expands past " + max + " bytes"));
        }
      }
    };
  }

  /** Adds {@code name} and its parents to {@code names}, and its parents to {@code dirs}. */
  private static void addWithParents(Set<String> names, Set<String> dirs, String name) {
    if (name.equals(TarNames.ROOT)) {
      return;
    }
    names.add(name);
    for (String n = TarNames.parent(name); !n.equals(TarNames.ROOT); n = TarNames.parent(n)) {
      names.add(n);
      if (!dirs.add(n)) {
        break; // its own parents were added with it
      }
    }
  }

  /**
   * The file at the entry's path when it is a regular file reached through real directories with
   * one link and the entry's size, mode, owner and mtime; else null.
   */
  private static Path sameMetadata(Path dir, TarEntry e, Set<Path> realDirs) throws IOException {
    Path p = throughRealDirs(dir, e.name(), realDirs);
    if (p == null) {
      return null;
    }
    java.util.Map<String, Object> a;
    try {
      // one lstat for every field the rule compares
      a =
          Files.readAttributes(
              p,
              "unix:isRegularFile,size,lastModifiedTime,mode,nlink,uid,gid",
              LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException missing) {
      return null;
    }
    if (!(a.get("isRegularFile") instanceof Boolean regular && regular)
        || !(a.get("size") instanceof Long size && size == e.size())
        || !(a.get("lastModifiedTime") instanceof java.nio.file.attribute.FileTime t
            && t.toInstant().equals(e.mtime()))) {
      return null;
    }
    if (!(a.get("mode") instanceof Integer m)
        || !(a.get("uid") instanceof Integer u)
        || u != e.uid()
        || !(a.get("gid") instanceof Integer g)
        || g != e.gid()
        || (m & 07777) != (e.mode() & 07777)
        || !(a.get("nlink") instanceof Integer n)
        || n != 1) {
      return null;
    }
    return p;
  }

  /**
   * {@code dir}'s path for {@code name} when every directory on the way is a real directory (no
   * symlink), else null; null for the root and for a name that is not canonical.
   */
  private static Path throughRealDirs(Path dir, String name, Set<Path> realDirs)
      throws IOException {
    if (name.equals(TarNames.ROOT) || TarNames.problem(name) != null) {
      return null;
    }
    Path p = dir;
    var parts = TarNames.components(name);
    for (int i = 0; i < parts.size() - 1; i++) {
      p = p.resolve(parts.get(i));
      if (realDirs.contains(p)) {
        continue; // checked for an earlier entry of this sync (the directory is the daemon's)
      }
      BasicFileAttributes a = attrs(p);
      if (a == null || !a.isDirectory()) {
        return null;
      }
      realDirs.add(p);
    }
    return p.resolve(parts.getLast());
  }

  /**
   * The lstat of {@code dir}'s {@code name} when it is a regular file with one link reached through
   * real directories, else null.
   */
  static Stat keptRegularFile(Path dir, String name, Set<Path> realDirs) throws IOException {
    Path p = throughRealDirs(dir, name, realDirs);
    if (p == null) {
      return null;
    }
    Stat st = Posix.lstatOrNull(p);
    return st != null && st.isRegularFile() && st.nlink() == 1 ? st : null;
  }

  private static BasicFileAttributes attrs(Path p) throws IOException {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
  }

  /**
   * Compares the entry's content, as it streams in, with {@code file}. Equal: true. At the first
   * difference the entry goes into the delta (the equal prefix read back from the file, which
   * nothing has changed yet, then the rest of the stream) and false is returned.
   */
  private static boolean sameBytesOrDivert(
      Path file, TarEntry e, InputStream content, DeltaTar delta, Buffers buffers)
      throws IOException {
    try (FileChannel f =
        FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      byte[] in = buffers.in;
      ByteBuffer have = buffers.have;
      long pos = 0;
      while (pos < e.size()) {
        int want = (int) Math.min(in.length, e.size() - pos);
        int n = content.readNBytes(in, 0, want);
        have.clear().limit(n);
        while (have.hasRemaining() && f.read(have, pos + have.position()) >= 0) {
          // read the same range of the kept file
        }
        boolean equal =
            n == want && !have.hasRemaining() && have.flip().equals(ByteBuffer.wrap(in, 0, n));
        if (!equal) {
          InputStream prefix =
              new java.io.BufferedInputStream(
                  java.nio.channels.Channels.newInputStream(f.position(0)));
          InputStream rest =
              new java.io.SequenceInputStream(
                  new java.io.SequenceInputStream(
                      new LimitedStream(prefix, pos), new java.io.ByteArrayInputStream(in, 0, n)),
                  content);
          delta.add(e, rest);
          return false;
        }
        pos += n;
      }
      return true;
    }
  }

  /** The two buffers of a sync's comparisons, allocated once per sync. */
  private static final class Buffers {
    final byte[] in = new byte[64 * 1024];
    final ByteBuffer have = ByteBuffer.allocate(64 * 1024);
  }

  /** The first {@code limit} bytes of a stream. */
  private static final class LimitedStream extends java.io.FilterInputStream {
    private long left;

    LimitedStream(InputStream in, long limit) {
      super(in);
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) {
        return -1;
      }
      int b = super.read();
      if (b >= 0) {
        left--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = super.read(b, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
      }
      return n;
    }
  }

  /**
   * Deletes what {@code dir} holds that the tar does not name; never follows a link. Only the
   * directories the new context has ({@code dirs}) are descended into, each after an lstat shows a
   * real directory there; the other names are compared, not stat'ed (a name the context has is kept
   * or replaced by the delta).
   */
  private static int deleteUnnamed(Path dir, Set<String> names, Set<String> dirs)
      throws IOException {
    int deleted = 0;
    java.util.ArrayDeque<String> pending = new java.util.ArrayDeque<>();
    pending.push("");
    while (!pending.isEmpty()) {
      String rel = pending.pop();
      Path d = rel.isEmpty() ? dir : dir.resolve(rel);
      try (java.nio.file.DirectoryStream<Path> children = Files.newDirectoryStream(d)) {
        for (Path child : children) {
          String name = child.getFileName().toString();
          String r = rel.isEmpty() ? name : rel + "/" + name;
          if (!names.contains(r)) {
            Trees.delete(child);
            deleted++;
          } else if (dirs.contains(r)) {
            BasicFileAttributes a = attrs(child);
            if (a != null && a.isDirectory()) {
              pending.push(r);
            }
          }
        }
      } catch (java.nio.file.NoSuchFileException | java.nio.file.NotDirectoryException e) {
        // gone, or not a directory after all: the delta makes it what the context says
      }
    }
    return deleted;
  }
}
