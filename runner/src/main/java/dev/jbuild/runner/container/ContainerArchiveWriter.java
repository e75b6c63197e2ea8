package dev.jbuild.runner.container;

import dev.jbuild.layercache.fs.At;
import dev.jbuild.layercache.fs.Dir;
import dev.jbuild.layercache.fs.Errno;
import dev.jbuild.layercache.fs.PosixException;
import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.tar.EntryType;
import dev.jbuild.layercache.tar.LayerReader;
import dev.jbuild.layercache.tar.TarEntry;
import dev.jbuild.layercache.tar.TarNames;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Docker's {@code PUT /containers/{id}/archive?path=DIR} (the daemon's side of {@code docker cp -
 * ctr:/dir}): a tar extracted into a directory of a running container. The destination is resolved
 * inside the container's root ({@code RESOLVE_IN_ROOT}); below it every entry is made with {@code
 * *at} calls on directory descriptors opened without following symlinks: an entry whose parent is a
 * symlink (planted by the container or by the archive itself) is refused by name, a {@code ..} name
 * is refused by the tar reader, and an existing symlink at an entry's place is replaced, never
 * written through. Owners, modes and mtimes come from the archive; devices are refused.
 */
public final class ContainerArchiveWriter {
  private static final int CHUNK = 64 * 1024;

  private ContainerArchiveWriter() {}

  /**
   * Extracts {@code tar} (uncompressed or compressed) into directory {@code path} of {@code root}.
   *
   * @param noOverwriteDirNonDir refuse to replace a directory by a non-directory or the reverse
   */
  public static void extract(Path root, String path, InputStream tar, boolean noOverwriteDirNonDir)
      throws IOException {
    try (RootDir r = RootDir.open(root)) {
      Stat dest = r.stat(path, true);
      if (dest == null) {
        throw ContainerArchive.noSuchPath(path);
      }
      if (!dest.isDirectory()) {
        throw new RunnerException(
            "extraction point is not a directory: " + path, RunnerErrors.CANNOT_CREATE);
      }
      try (Dir top = r.openDir(path);
          LayerReader in = LayerReader.open(tar)) {
        TarEntry e;
        while ((e = in.next()) != null) {
          List<String> parts = TarNames.components(e.name());
          if (parts.isEmpty()) {
            continue; // the archive's root entry
          }
          List<Dir> opened = new ArrayList<>();
          try {
            Dir parent = parents(top, parts, e.name(), opened, true);
            entry(top, parent, parts.getLast(), e, in, noOverwriteDirNonDir);
          } finally {
            for (Dir d : opened.reversed()) {
              d.close();
            }
          }
        }
      }
    }
  }

  /** Opens (and with {@code create} makes) the parent directories of an entry, never following. */
  private static Dir parents(
      Dir top, List<String> parts, String name, List<Dir> opened, boolean create)
      throws IOException {
    Dir cur = top;
    for (String c : parts.subList(0, parts.size() - 1)) {
      Stat st = lstat(cur, c);
      if (st == null && create) {
        cur.mkdir(c, 0755);
        st = lstat(cur, c);
      }
      if (st == null || !st.isDirectory()) {
        throw new RunnerException(
            "cannot extract "
                + name
                + ": "
                + c
                + (st != null && st.isSymlink()
                    ? " is a symlink (not followed)"
                    : " is not a directory"),
            RunnerErrors.CANNOT_CREATE);
      }
      cur = cur.openDir(c);
      opened.add(cur);
    }
    return cur;
  }

  private static Stat lstat(Dir d, String name) throws PosixException {
    try {
      return d.lstat(name);
    } catch (PosixException e) {
      if (e.errno() == Errno.ENOENT) {
        return null;
      }
      throw e;
    }
  }

  private static void entry(
      Dir top, Dir dir, String name, TarEntry e, LayerReader in, boolean noOverwriteDirNonDir)
      throws IOException {
    Stat old = lstat(dir, name);
    boolean isDir = e.type() == EntryType.DIR;
    if (old != null) {
      if (old.isDirectory() && !isDir) {
        if (noOverwriteDirNonDir) {
          throw refused(e, "cannot overwrite directory " + e.name() + " with non-directory");
        }
        dir.rmdir(name);
      } else if (!old.isDirectory() && isDir) {
        if (noOverwriteDirNonDir) {
          throw refused(e, "cannot overwrite non-directory " + e.name() + " with directory");
        }
        dir.unlink(name);
      } else if (!isDir) {
        dir.unlink(name);
      }
    }
    switch (e.type()) {
      case DIR -> {
        if (old == null || !old.isDirectory()) {
          dir.mkdir(name, 0700);
        }
      }
      case FILE -> {
        int fd = dir.createFile(name, 0600);
        try (InputStream content = in.content()) {
          byte[] buf = new byte[CHUNK];
          int n;
          while ((n = content.read(buf)) > 0) {
            At.write(fd, n == buf.length ? buf : java.util.Arrays.copyOf(buf, n), e.name());
          }
        } finally {
          At.close(fd);
        }
      }
      case SYMLINK -> dir.symlink(name, e.linkName());
      case HARDLINK -> {
        List<String> target = TarNames.components(e.linkName());
        if (target.isEmpty()) {
          throw refused(e, "hard link " + e.name() + " has no target");
        }
        List<Dir> opened = new ArrayList<>();
        try {
          Dir from = parents(top, target, e.linkName(), opened, false);
          dir.link(name, from, target.getLast());
        } finally {
          for (Dir d : opened.reversed()) {
            d.close();
          }
        }
        return; // the link shares its target's owner, mode and times
      }
      case FIFO -> dir.mknod(name, Stat.S_IFIFO | (e.mode() & 07777), 0, 0);
      default -> throw refused(e, "device " + e.name() + " is not extracted into a container");
    }
    dir.chown(name, e.uid(), e.gid());
    if (e.type() != EntryType.SYMLINK) {
      dir.chmod(name, e.mode() & 07777);
    }
    dir.setTimes(name, e.mtime(), e.mtime());
  }

  private static RunnerException refused(TarEntry e, String why) {
    return new RunnerException(why, RunnerErrors.CANNOT_CREATE);
  }
}
