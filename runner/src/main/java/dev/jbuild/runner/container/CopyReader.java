package dev.jbuild.runner.container;

import dev.jbuild.layercache.fs.At;
import dev.jbuild.layercache.fs.Dir;
import dev.jbuild.layercache.fs.PosixException;
import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.tar.EntryType;
import dev.jbuild.layercache.tar.TarEntry;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.sys.Syscalls;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Reads a tree for {@code jbuild cp} as tar entries, through descriptors only: the source is
 * resolved inside its {@link RootDir} (a container's root, or the host directory holding a host
 * source), every entry below it is opened without following a symlink, a file is read only after
 * its open descriptor says it is a regular file (a fifo or a device is never opened for reading; it
 * is copied as a node), and the pseudo file systems a container has mounted (proc, sysfs, cgroup,
 * devpts, mqueue, ...) are never read: their mount points are copied as empty directories, as
 * Docker, whose view of a container has none of them, does.
 */
final class CopyReader {
  /** The types of fstatfs whose files are not content: reading them acts on the kernel. */
  private static final Set<Long> PSEUDO =
      Set.of(
          0x9fa0L, // proc
          0x62656572L, // sysfs
          0x27e0ebL, // cgroup
          0x63677270L, // cgroup2
          0x1cd1L, // devpts
          0x19800202L, // mqueue
          0x64626720L, // debugfs
          0x73636673L, // securityfs
          0x74726163L, // tracefs
          0xcafe4a11L, // bpf
          0x6165676cL, // pstore
          0x62656570L, // configfs
          0x65735543L, // fusectl
          0x42494e4dL, // binfmt_misc
          0x6e736673L, // nsfs
          0xf97cff8cL); // selinuxfs

  /** Where entries go. */
  interface Sink {
    /** One entry; {@code content} is the file's bytes (exactly its size) for a FILE, else null. */
    void add(TarEntry entry, InputStream content) throws IOException;
  }

  private final String what;

  /**
   * @param what how the source is named in messages ({@code c1:/etc}, {@code /tmp/x})
   */
  CopyReader(String what) {
    this.what = what;
  }

  /**
   * Emits {@code path} of {@code root} (the last component followed only when {@code follow}) as
   * entries named {@code top} and below ({@code top} null: a directory's children only, with no
   * entry of its own: a source ending in {@code /.}).
   */
  void read(RootDir root, String path, boolean follow, String top, Sink sink) throws IOException {
    int fd = root.resolve(path, follow, false);
    try {
      Stat st = At.fstat(fd);
      if (pseudo(fd)) {
        throw RunnerErrors.copyFailed(
            "cannot copy " + what + ": it is on a kernel file system (proc, sysfs, ...)");
      }
      if (st.isDirectory()) {
        try (Dir d = root.openDir(path)) {
          Stat again = At.fstat(d.fd());
          if (again.dev() != st.dev() || again.ino() != st.ino()) {
            throw RunnerErrors.copyFailed("cannot copy " + what + ": it changed while copied");
          }
          if (top != null) {
            sink.add(meta(TarEntry.directory(top), st), null);
          }
          children(d, top, sink);
        }
        return;
      }
      if (top == null) {
        throw RunnerErrors.copyFailed("cannot copy " + what + ": not a directory");
      }
      if (st.isRegularFile()) {
        // the descriptor's own magic link: the file found, whatever the path names now
        int in =
            At.openat(
                At.AT_FDCWD, At.procPath(fd, ""), At.O_RDONLY | At.O_NONBLOCK | At.O_NOCTTY, 0);
        file(in, top, sink);
        return;
      }
      node(st, top, () -> At.readlinkat(fd, ""), sink);
    } finally {
      At.close(fd);
    }
  }

  private void children(Dir dir, String prefix, Sink sink) throws IOException {
    for (String name : names(dir)) {
      String entry = prefix == null ? name : prefix + "/" + name;
      Stat st = dir.lstat(name);
      if (st == null || st.isSocket()) {
        continue; // gone meanwhile, or a socket (tar holds none)
      }
      if (st.isDirectory()) {
        Dir sub;
        try {
          sub = dir.openDir(name);
        } catch (PosixException e) {
          continue; // replaced meanwhile
        }
        try (sub) {
          sink.add(meta(TarEntry.directory(entry), st), null);
          if (!pseudo(sub.fd())) {
            children(sub, entry, sink);
          }
        }
      } else if (st.isRegularFile()) {
        int in;
        try {
          in = At.openat(dir.fd(), name, readFlags(), 0);
        } catch (PosixException e) {
          continue;
        }
        file(in, entry, sink);
      } else {
        node(st, entry, () -> dir.readlink(name), sink);
      }
    }
  }

  private static int readFlags() {
    return At.O_RDONLY | At.O_NOFOLLOW | At.O_NONBLOCK | At.O_NOCTTY;
  }

  /** Emits the open file {@code in} (closed here) when it really is a regular file. */
  private static void file(int in, String entry, Sink sink) throws IOException {
    try {
      Stat st = At.fstat(in);
      if (!st.isRegularFile() || pseudo(in)) {
        return; // swapped for something else since the lstat
      }
      try (FileChannel ch =
          FileChannel.open(Path.of(At.procPath(in, "")), StandardOpenOption.READ)) {
        sink.add(
            meta(TarEntry.file(entry, st.size()), st),
            new ExactStream(Channels.newInputStream(ch), st.size()));
      }
    } finally {
      At.close(in);
    }
  }

  interface LinkTarget {
    String read() throws IOException;
  }

  private static void node(Stat st, String entry, LinkTarget link, Sink sink) throws IOException {
    TarEntry e;
    if (st.isSymlink()) {
      e = TarEntry.symlink(entry, link.read());
    } else if (st.isCharDevice()) {
      e = TarEntry.charDevice(entry, st.rdevMajor(), st.rdevMinor());
    } else if (st.isBlockDevice()) {
      e = TarEntry.blockDevice(entry, st.rdevMajor(), st.rdevMinor());
    } else if (st.isFifo()) {
      e = TarEntry.fifo(entry);
    } else {
      return;
    }
    sink.add(meta(e, st), null);
  }

  private static TarEntry meta(TarEntry e, Stat st) {
    TarEntry out = e.withOwner(st.uid(), st.gid()).withMtime(st.mtime());
    return e.type() == EntryType.SYMLINK ? out.withMode(0777) : out.withMode(st.permissions());
  }

  private static boolean pseudo(int fd) {
    try {
      return PSEUDO.contains(Syscalls.fsType(fd));
    } catch (IOException e) {
      return true;
    }
  }

  /** The names in {@code dir}, sorted by their UTF-8 bytes (the tar writer's order). */
  static List<String> names(Dir dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.procPath(""))) {
      for (Path p : ds) {
        out.add(p.getFileName().toString());
      }
    }
    out.sort(
        (a, b) ->
            Arrays.compareUnsigned(
                a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
    return out;
  }

  /** Exactly {@code size} bytes: a file that shrank meanwhile is padded with zeros, as tar does. */
  private static final class ExactStream extends InputStream {
    private final InputStream in;
    private long left;
    private boolean eof;

    ExactStream(InputStream in, long size) {
      this.in = in;
      this.left = size;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int want = (int) Math.min(len, left);
      int n = eof ? -1 : in.read(b, off, want);
      if (n < 0) {
        eof = true;
        Arrays.fill(b, off, off + want, (byte) 0);
        n = want;
      }
      left -= n;
      return n;
    }
  }
}
