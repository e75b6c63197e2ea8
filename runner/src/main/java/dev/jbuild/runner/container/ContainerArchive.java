package dev.jbuild.runner.container;

import dev.jbuild.layercache.fs.At;
import dev.jbuild.layercache.fs.Dir;
import dev.jbuild.layercache.fs.Errno;
import dev.jbuild.layercache.fs.InRoot;
import dev.jbuild.layercache.fs.PosixException;
import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.tar.EntryType;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import dev.jbuild.layercache.tar.TarEntry;
import dev.jbuild.layercache.tar.TarNames;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Docker's container archive ({@code GET/HEAD /containers/{id}/archive?path=}, the daemon's side of
 * {@code docker cp ctr:/path -}): a path of a container, statted or packed as a tar. The path is
 * hostile (it names something in the container, whose processes may have planted symlinks), so
 * everything goes through the confinement toolkit: the path is resolved with {@link RootDir}
 * ({@code openat2} with {@code RESOLVE_IN_ROOT}) inside the container's root, and the tree below it
 * is walked through directory descriptors opened without following symlinks; a symlink is packed as
 * a symlink, never followed on the host. Extraction ({@code PUT}) is {@link
 * ContainerArchiveWriter}.
 *
 * <p>The root is the running container's own view, {@code /proc/<init pid>/root}: its volumes and
 * bind mounts are seen where the container sees them.
 */
public final class ContainerArchive {
  private ContainerArchive() {}

  /**
   * What docker's {@code X-Docker-Container-Path-Stat} header says about a path.
   *
   * @param mode Go's {@code os.FileMode}: permission bits plus its type bits (1<<31 directory,
   *     1<<27 symlink, ...)
   * @param linkTarget where a symlink leads, as a path in the container ("" otherwise)
   */
  public record PathStat(String name, long size, long mode, Instant mtime, String linkTarget) {
    public boolean isDirectory() {
      return (mode & (1L << 31)) != 0;
    }
  }

  /** The root of a running container's file system as its processes see it. */
  public static Path root(Containers containers, String ref) throws IOException {
    ContainerState s = containers.find(ref);
    if (s.status() != ContainerState.Status.RUNNING && s.status() != ContainerState.Status.PAUSED) {
      throw new RunnerException(
          "container "
              + s.record().id()
              + " is not running: jbuild copies files of running containers only",
          RunnerErrors.CANNOT_CREATE);
    }
    long pid = containers.initPid(s.record().id());
    if (pid <= 0) {
      throw new RunnerException(
          "container " + s.record().id() + " is not running", RunnerErrors.CANNOT_CREATE);
    }
    return Path.of("/proc", Long.toString(pid), "root");
  }

  /** The stat of {@code path} in {@code root} (the last component not followed, as docker). */
  public static PathStat stat(Path root, String path) throws IOException {
    try (RootDir r = RootDir.open(root)) {
      return stat(r, path);
    }
  }

  private static PathStat stat(RootDir r, String path) throws IOException {
    boolean follow = path.endsWith("/") || path.endsWith("/.");
    Stat st = r.stat(path, follow);
    if (st == null) {
      throw noSuchPath(path);
    }
    String linkTarget = "";
    if (st.isSymlink()) {
      linkTarget = "/" + InRoot.resolve(r, path, true);
    }
    List<String> parts = TarNames.components(path);
    String name = parts.isEmpty() ? "/" : parts.getLast();
    return new PathStat(name, st.size(), goMode(st), st.mtime(), linkTarget);
  }

  static RunnerException noSuchPath(String path) {
    return new RunnerException(
        "Could not find the file " + path + " in container", RunnerErrors.CANNOT_CREATE);
  }

  /** Go's {@code os.FileMode} of a stat. */
  static long goMode(Stat st) {
    long m = st.mode() & 0777;
    if ((st.mode() & 04000) != 0) {
      m |= 1L << 23;
    }
    if ((st.mode() & 02000) != 0) {
      m |= 1L << 22;
    }
    if ((st.mode() & 01000) != 0) {
      m |= 1L << 20;
    }
    m |=
        switch (st.type()) {
          case Stat.S_IFDIR -> 1L << 31;
          case Stat.S_IFLNK -> 1L << 27;
          case Stat.S_IFIFO -> 1L << 25;
          case Stat.S_IFSOCK -> 1L << 24;
          case Stat.S_IFBLK -> 1L << 26;
          case Stat.S_IFCHR -> (1L << 26) | (1L << 21);
          default -> 0L;
        };
    return m;
  }

  /**
   * Writes {@code path} of {@code root} as an uncompressed tar to {@code out}: the entry itself
   * under its base name and, for a directory, everything below it. Sockets are left out (as tar
   * does). The stream is finished, not closed.
   */
  public static void pack(Path root, String path, OutputStream out) throws IOException {
    try (RootDir r = RootDir.open(root)) {
      PathStat ps = stat(r, path);
      List<String> parts = TarNames.components(path);
      String parent =
          "/" + String.join("/", parts.isEmpty() ? List.of() : parts.subList(0, parts.size() - 1));
      String base = parts.isEmpty() ? "." : parts.getLast();
      boolean follow = path.endsWith("/") || path.endsWith("/.");
      LayerWriter w = LayerWriter.open(out, LayerWriterOptions.defaults().withThreads(1));
      if (parts.isEmpty() || (follow && ps.isDirectory())) {
        // the directory a trailing /. or / names, under its own name (docker's rebase)
        try (Dir d = r.openDir(path)) {
          Stat st = At.fstat(d.fd());
          w.add(header(base, st, ""));
          walk(w, d, base);
        }
      } else {
        try (Dir p = r.openDir(parent)) {
          add(w, p, base, base);
        }
      }
      w.finish();
    }
  }

  /** Adds entry {@code name} of directory {@code dir} (never followed) as {@code tarName}. */
  private static void add(LayerWriter w, Dir dir, String name, String tarName) throws IOException {
    Stat st;
    try {
      st = dir.lstat(name);
    } catch (PosixException e) {
      if (e.errno() == Errno.ENOENT) {
        return; // gone meanwhile
      }
      throw e;
    }
    switch (st.type()) {
      case Stat.S_IFDIR -> {
        Dir sub;
        try {
          sub = dir.openDir(name);
        } catch (PosixException e) {
          return; // replaced by something else meanwhile: not followed
        }
        try (sub) {
          w.add(header(tarName, st, ""));
          walk(w, sub, tarName);
        }
      }
      case Stat.S_IFREG -> addFile(w, dir, name, tarName);
      case Stat.S_IFLNK -> w.add(header(tarName, st, dir.readlink(name)));
      case Stat.S_IFSOCK -> {}
      default -> w.add(header(tarName, st, ""));
    }
  }

  private static void walk(LayerWriter w, Dir dir, String prefix) throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of(At.procPath(dir.fd(), "")))) {
      for (Path p : ds) {
        names.add(p.getFileName().toString());
      }
    }
    names.sort(null);
    for (String n : names) {
      add(w, dir, n, prefix.equals(TarNames.ROOT) ? n : prefix + "/" + n);
    }
  }

  /** A regular file: opened without following, checked again, exactly its stat size packed. */
  private static void addFile(LayerWriter w, Dir dir, String name, String tarName)
      throws IOException {
    int fd;
    try {
      fd = At.openat(dir.fd(), name, At.O_RDONLY | At.O_NOFOLLOW | At.O_NONBLOCK | At.O_NOCTTY, 0);
    } catch (PosixException e) {
      return; // gone or replaced by a symlink meanwhile
    }
    try {
      Stat st = At.fstat(fd);
      if (!st.isRegularFile()) {
        return;
      }
      try (InputStream in = new FileInputStream(At.procPath(fd, ""))) {
        w.add(header(tarName, st, ""), exactly(in, st.size()));
      }
    } finally {
      At.close(fd);
    }
  }

  /** {@code size} bytes of {@code in}: cut when it grew, zero-filled when it shrank meanwhile. */
  private static InputStream exactly(InputStream in, long size) {
    return new InputStream() {
      long left = size;

      @Override
      public int read() throws IOException {
        byte[] b = new byte[1];
        return read(b, 0, 1) < 0 ? -1 : b[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
          return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n < 0) {
          n = (int) Math.min(len, left);
          java.util.Arrays.fill(b, off, off + n, (byte) 0);
        }
        left -= n;
        return n;
      }
    };
  }

  private static TarEntry header(String name, Stat st, String link) {
    EntryType type =
        switch (st.type()) {
          case Stat.S_IFDIR -> EntryType.DIR;
          case Stat.S_IFLNK -> EntryType.SYMLINK;
          case Stat.S_IFCHR -> EntryType.CHAR;
          case Stat.S_IFBLK -> EntryType.BLOCK;
          case Stat.S_IFIFO -> EntryType.FIFO;
          default -> EntryType.FILE;
        };
    return new TarEntry(
        name,
        type,
        st.permissions(),
        st.uid(),
        st.gid(),
        type == EntryType.FILE ? st.size() : 0,
        st.mtime(),
        link,
        type == EntryType.CHAR || type == EntryType.BLOCK ? st.rdevMajor() : 0,
        type == EntryType.CHAR || type == EntryType.BLOCK ? st.rdevMinor() : 0,
        new java.util.TreeMap<>());
  }
}
