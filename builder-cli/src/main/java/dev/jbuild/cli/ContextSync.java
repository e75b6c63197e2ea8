package dev.jbuild.cli;

import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.tar.ApplyMode;
import dev.jbuild.layercache.tar.EntryType;
import dev.jbuild.layercache.tar.LayerApplier;
import dev.jbuild.layercache.tar.LayerReader;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import dev.jbuild.layercache.tar.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The daemon's copies of its clients' build contexts, kept between calls ({@code
 * <store>/serve/contexts/<key>}, one per client and context path), so a rebuild rewrites only what
 * changed: an unchanged file keeps its inode and times, and the build's content-hash cache ({@code
 * FileHashCache}) knows it without reading it. A file is unchanged when its type, size,
 * permissions, owner and whole-second mtime are the client's and the copy was written in a later
 * second than that mtime (git's "racily clean" rule: a change in the same second could keep them
 * all). What the client no longer has is deleted. Everything is written by the confined applier;
 * one call at a time per copy (another call with the same context gets a fresh one).
 */
final class ContextSync {
  private ContextSync() {}

  private static final Map<String, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  /** A copy held by this call until {@link #close}. */
  record Held(Path dir, ReentrantLock lock) implements AutoCloseable {
    @Override
    public void close() {
      lock.unlock();
    }
  }

  /** The persistent copy for {@code key}, locked for this call, or null when another holds it. */
  static Held acquire(Path storeRoot, String key) throws IOException {
    String name = Digest.sha256(key.getBytes(StandardCharsets.UTF_8)).hex();
    Path dir = storeRoot.resolve("serve").resolve("contexts").resolve(name);
    if (!Files.isDirectory(storeRoot, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return null; // no store yet: the call's own directory (the store is made 0700 by Store)
    }
    ReentrantLock lock = LOCKS.computeIfAbsent(dir.toString(), k -> new ReentrantLock());
    if (!lock.tryLock()) {
      return null;
    }
    try {
      for (Path d : List.of(dir.getParent().getParent(), dir.getParent(), dir)) {
        if (!Files.isDirectory(d, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(
              d,
              java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                  java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        }
      }
      return new Held(dir, lock);
    } catch (IOException | RuntimeException e) {
      lock.unlock();
      throw e;
    }
  }

  /**
   * Splits the upload: entries of the items in {@code synced} (item number to its copy) are
   * compared with the copy and only the changed ones applied to it; the rest go to {@code in}.
   */
  static Set<String> apply(InputStream uploads, Path in, Map<String, Path> synced, Path spoolDir)
      throws IOException {
    Map<String, Sink> sinks = new HashMap<>();
    Path rest = spoolDir.resolve("rest.tar");
    Sink other = new Sink(rest, null);
    try (LayerReader reader = LayerReader.open(uploads)) {
      for (TarEntry e; (e = reader.next()) != null; ) {
        String name = e.name();
        int slash = name.indexOf('/');
        String item = slash < 0 ? name : name.substring(0, slash);
        Path copy = synced.get(item);
        if (copy == null) {
          other.add(e, reader);
          continue;
        }
        Sink s = sinks.get(item);
        if (s == null) {
          s = new Sink(spoolDir.resolve("sync-" + item + ".tar"), copy);
          sinks.put(item, s);
        }
        String rel = slash < 0 ? "." : name.substring(slash + 1);
        s.offer(e.withName(rel), reader);
      }
    }
    other.finish();
    LayerApplier.apply(rest, in, ApplyMode.PLAIN);
    for (Sink s : sinks.values()) {
      s.finish();
      LayerApplier.apply(s.spool, s.copy, ApplyMode.PLAIN);
      s.prune();
    }
    return sinks.keySet();
  }

  /** The entries bound for one destination: written to a spool tar, changed ones only. */
  private static final class Sink {
    final Path spool;
    final Path copy;
    final OutputStream out;
    final LayerWriter writer;
    final RootDir root;
    final Set<String> names = new HashSet<>();
    final List<String> replaced = new ArrayList<>();

    Sink(Path spool, Path copy) throws IOException {
      this.spool = spool;
      this.copy = copy;
      this.out = Files.newOutputStream(spool);
      this.writer = LayerWriter.open(out, LayerWriterOptions.defaults().withThreads(1));
      this.root = copy == null ? null : RootDir.open(copy);
    }

    void add(TarEntry e, LayerReader reader) throws IOException {
      if (e.type() == EntryType.FILE) {
        writer.add(e, reader.content());
      } else {
        writer.add(e);
      }
    }

    void offer(TarEntry e, LayerReader reader) throws IOException {
      names.add(e.name());
      for (String r : replaced) {
        if (e.name().startsWith(r + "/")) {
          add(e, reader); // below something that changed type: written anew
          return;
        }
      }
      Stat st = e.name().equals(".") ? null : root.lstat(e.name());
      if (st != null && same(e, st)) {
        return;
      }
      if (st != null && st.type() != typeOf(e)) {
        replaced.add(e.name());
      }
      add(e, reader);
    }

    private boolean same(TarEntry e, Stat st) throws IOException {
      if (st.type() != typeOf(e)
          || st.permissions() != (e.mode() & 07777)
          || st.uid() != e.uid()
          || st.gid() != e.gid()
          || st.mtime().getEpochSecond() != e.mtime().getEpochSecond()) {
        return false;
      }
      return switch (e.type()) {
        case FILE ->
            st.size() == e.size() && st.ctime().getEpochSecond() > e.mtime().getEpochSecond();
        case SYMLINK -> root.readlink(e.name()).equals(e.linkName());
        case DIR -> true;
        default -> false;
      };
    }

    private static int typeOf(TarEntry e) {
      return switch (e.type()) {
        case FILE -> Stat.S_IFREG;
        case DIR -> Stat.S_IFDIR;
        case SYMLINK -> Stat.S_IFLNK;
        default -> -1;
      };
    }

    void finish() throws IOException {
      writer.finish();
      out.close();
    }

    /** Deletes what the client no longer has (a physical walk: no symlink followed). */
    void prune() throws IOException {
      root.close();
      if (copy == null) {
        return;
      }
      List<Path> gone = new ArrayList<>();
      Files.walkFileTree(
          copy,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
              if (!d.equals(copy) && !names.contains(copy.relativize(d).toString())) {
                gone.add(d);
                return FileVisitResult.SKIP_SUBTREE;
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
              if (!names.contains(copy.relativize(f).toString())) {
                gone.add(f);
              }
              return FileVisitResult.CONTINUE;
            }
          });
      for (Path p : gone) {
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          dev.jbuild.runner.Trees.delete(p);
        } else {
          Files.deleteIfExists(p);
        }
      }
    }
  }
}
