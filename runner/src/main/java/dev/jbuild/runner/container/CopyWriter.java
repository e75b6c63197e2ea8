package dev.jbuild.runner.container;

import dev.jbuild.layercache.fs.At;
import dev.jbuild.layercache.fs.Dir;
import dev.jbuild.layercache.fs.Errno;
import dev.jbuild.layercache.fs.PosixException;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.tar.EntryType;
import dev.jbuild.layercache.tar.TarEntry;
import dev.jbuild.layercache.tar.TarNames;
import dev.jbuild.runner.RunnerErrors;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Writes {@code jbuild cp}'s entries below a destination directory opened confined (inside a
 * container's root, or the host directory the user named). Every entry is created with the {@code
 * *at} calls on a directory reached from that base one component at a time without following a
 * symlink, so a symlink in the destination (or one a running container plants meanwhile) is never a
 * way out: where an entry's parent is a symlink the copy fails. What is in the way is replaced as
 * Docker's untar replaces it (a directory over a directory is kept and takes the new metadata;
 * anything else is removed first). Owners: the entry's ({@code -a}) or the given ones; modes and
 * modification times always; a directory's time is set once everything in it is written.
 */
final class CopyWriter implements CopyReader.Sink, AutoCloseable {
  private final Dir base;
  private final String where;
  private final long uid;
  private final long gid;
  private final boolean keepOwners;
  private final boolean noOverwriteDirNonDir;
  private final String verb;
  private final Deque<DirTime> dirTimes = new ArrayDeque<>();

  private record DirTime(List<String> parts, Instant mtime) {}

  /**
   * @param base the destination directory (closed with this writer)
   * @param where how it is named in messages
   * @param uid owner of what is written unless {@code keepOwners}
   */
  CopyWriter(Dir base, String where, long uid, long gid, boolean keepOwners) {
    this(base, where, uid, gid, keepOwners, false, "copy");
  }

  /**
   * @param noOverwriteDirNonDir refuse to replace a directory by a non-directory or the reverse
   *     (the daemon's {@code PUT ?noOverwriteDirNonDir=1})
   * @param verb what failures say is refused ({@code copy}; {@code extract} for the daemon)
   */
  CopyWriter(
      Dir base,
      String where,
      long uid,
      long gid,
      boolean keepOwners,
      boolean noOverwriteDirNonDir,
      String verb) {
    this.base = base;
    this.where = where;
    this.uid = uid;
    this.gid = gid;
    this.keepOwners = keepOwners;
    this.noOverwriteDirNonDir = noOverwriteDirNonDir;
    this.verb = verb;
  }

  @Override
  public void add(TarEntry e, InputStream content) throws IOException {
    String name = TarNames.clean(e.name());
    if (name.equals(TarNames.ROOT) || e.isWhiteout() || e.isOpaqueMarker()) {
      return; // the destination itself keeps its metadata
    }
    List<String> parts = TarNames.components(name);
    Dir parent = walk(parts.subList(0, parts.size() - 1), name);
    try {
      String last = parts.getLast();
      Stat existing = parent.lstat(last);
      boolean isDir = e.type() == EntryType.DIR;
      if (existing != null && noOverwriteDirNonDir && existing.isDirectory() != isDir) {
        throw RunnerErrors.copyFailed(
            existing.isDirectory()
                ? "cannot overwrite directory " + name + " with non-directory"
                : "cannot overwrite non-directory " + name + " with directory");
      }
      boolean keepDir = existing != null && existing.isDirectory() && isDir;
      if (existing != null && !keepDir) {
        removeTree(parent, last);
      }
      switch (e.type()) {
        case DIR -> {
          if (!keepDir) {
            parent.mkdir(last, 0700);
          }
        }
        case FILE -> write(parent, last, e, content);
        case SYMLINK -> parent.symlink(last, e.linkName());
        case HARDLINK -> link(parent, last, e);
        case CHAR, BLOCK, FIFO ->
            parent.mknod(last, typeBits(e) | e.mode(), e.devMajor(), e.devMinor());
      }
      long u = keepOwners ? e.uid() : uid;
      long g = keepOwners ? e.gid() : gid;
      parent.chown(last, u, g);
      if (e.type() == EntryType.HARDLINK) {
        return;
      }
      if (e.type() != EntryType.SYMLINK) {
        parent.chmod(last, e.mode());
      }
      Instant mtime = e.mtime();
      if (e.type() == EntryType.DIR) {
        dirTimes.push(new DirTime(parts, mtime));
      } else {
        parent.setTimes(last, mtime, mtime);
      }
    } catch (PosixException ex) {
      throw RunnerErrors.copyFailed(
          "cannot " + verb + " " + name + " to " + where + ": " + ex.getMessage());
    } finally {
      if (parent != base) {
        parent.close();
      }
    }
  }

  private static int typeBits(TarEntry e) {
    return switch (e.type()) {
      case CHAR -> Stat.S_IFCHR;
      case BLOCK -> Stat.S_IFBLK;
      default -> Stat.S_IFIFO;
    };
  }

  /** The directory holding {@code parts} below the base; missing ones made (0755, as tar). */
  private Dir walk(List<String> parts, String name) throws IOException {
    Dir cur = base;
    try {
      for (String p : parts) {
        Stat st = cur.lstat(p);
        if (st == null) {
          cur.mkdir(p, 0755);
        } else if (!st.isDirectory()) {
          throw RunnerErrors.copyFailed(
              "cannot "
                  + verb
                  + " "
                  + name
                  + " to "
                  + where
                  + ": "
                  + p
                  + " is "
                  + dev.jbuild.layercache.fs.RootDir.kind(st)
                  + ", not a directory");
        }
        Dir next = cur.openDir(p); // O_NOFOLLOW: a symlink swapped in meanwhile fails here
        if (cur != base) {
          cur.close();
        }
        cur = next;
      }
      return cur;
    } catch (PosixException e) {
      if (cur != base) {
        cur.close();
      }
      throw RunnerErrors.copyFailed(
          "cannot " + verb + " " + name + " to " + where + ": " + e.getMessage());
    }
  }

  private static void write(Dir parent, String last, TarEntry e, InputStream content)
      throws IOException {
    int out = parent.createFile(last, 0600);
    try (FileChannel ch =
            FileChannel.open(Path.of(At.procPath(out, "")), StandardOpenOption.WRITE);
        OutputStream os = Channels.newOutputStream(ch)) {
      if (content != null) {
        long n = content.transferTo(os);
        if (n != e.size()) {
          throw RunnerErrors.copyFailed("cannot copy " + e.name() + ": its size changed");
        }
      }
    } finally {
      At.close(out);
    }
  }

  private void link(Dir parent, String last, TarEntry e) throws IOException {
    List<String> target = TarNames.components(TarNames.clean(e.linkName()));
    Dir from = walkExisting(target.subList(0, target.size() - 1), e.name());
    try {
      Stat st = from.lstat(target.getLast());
      if (st == null || st.isDirectory()) {
        throw RunnerErrors.copyFailed(
            "cannot "
                + verb
                + " "
                + e.name()
                + ": hard link target "
                + e.linkName()
                + " is not a file");
      }
      parent.link(last, from, target.getLast());
    } finally {
      if (from != base) {
        from.close();
      }
    }
  }

  private Dir walkExisting(List<String> parts, String name) throws IOException {
    Dir cur = base;
    try {
      for (String p : parts) {
        Dir next = cur.openDir(p);
        if (cur != base) {
          cur.close();
        }
        cur = next;
      }
      return cur;
    } catch (PosixException e) {
      if (cur != base) {
        cur.close();
      }
      throw RunnerErrors.copyFailed("cannot " + verb + " " + name + ": " + e.getMessage());
    }
  }

  /** Removes {@code name} of {@code dir} and, for a directory, everything below it. */
  static void removeTree(Dir dir, String name) throws IOException {
    Stat st = dir.lstat(name);
    if (st == null) {
      return;
    }
    if (!st.isDirectory()) {
      dir.unlink(name);
      return;
    }
    try (Dir sub = dir.openDir(name)) {
      for (String child : CopyReader.names(sub)) {
        removeTree(sub, child);
      }
    }
    try {
      dir.rmdir(name);
    } catch (PosixException e) {
      if (e.errno() != Errno.ENOENT) {
        throw e;
      }
    }
  }

  /** Sets the directories' times, innermost last written first. */
  @Override
  public void close() {
    try {
      for (DirTime t : dirTimes) {
        try {
          Dir d = walkExisting(t.parts(), String.join("/", t.parts()));
          try {
            d.setTimes("", t.mtime(), t.mtime());
          } finally {
            if (d != base) {
              d.close();
            }
          }
        } catch (IOException e) {
          // removed or replaced meanwhile: nothing to date
        }
      }
    } finally {
      dirTimes.clear();
      base.close();
    }
  }
}
