package dev.jbuild.runner.container;

import dev.jbuild.layercache.fs.At;
import dev.jbuild.layercache.fs.Dir;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.PosixException;
import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.fs.Stat;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Docker's copy-up: a volume that is still empty when it is mounted takes the image's content at
 * the mount's target, with owners, modes and times (and the target directory's own owner and mode
 * for the volume's root; hard links become copies). Both sides are walked through directory
 * descriptors: the target is resolved inside the container's root filesystem (symlinks followed
 * inside it, never on the host), every entry below is opened without following a symlink, and
 * everything in the volume is created with {@code *at} calls on descriptors of directories this
 * copy made, so neither a symlink from the image nor one a running container put into a shared
 * volume leads the copy onto the host.
 */
final class VolumeCopy {
  private VolumeCopy() {}

  /**
   * Copies {@code rootfs}'s directory {@code target} into {@code data} when {@code data} is empty
   * and the image has a directory there; returns whether it copied.
   */
  static boolean fill(Path rootfs, String target, Path data) throws IOException {
    try (RootDir src = RootDir.open(rootfs);
        RootDir dst = RootDir.open(data)) {
      String rel = target.replaceFirst("^/+", "");
      Stat st = rel.isEmpty() ? null : src.stat(rel, true);
      if (st == null || !st.isDirectory()) {
        return false;
      }
      if (!names(dst.dir()).isEmpty()) {
        return false; // Docker copies only into an empty volume
      }
      try (Dir from = src.openDir(rel)) {
        copyChildren(from, dst.dir());
        Stat top = At.fstat(from.fd());
        dst.dir().chown("", top.uid(), top.gid());
        Posix.chmod(dst.dir().procPath(""), top.permissions());
        return true;
      }
    }
  }

  private static void copyChildren(Dir from, Dir to) throws IOException {
    for (String name : names(from)) {
      Stat st = from.lstat(name);
      if (st == null) {
        continue;
      }
      if (st.isDirectory()) {
        to.mkdir(name, 0700);
        try (Dir f = from.openDir(name);
            Dir t = to.openDir(name)) {
          copyChildren(f, t);
        }
        owner(to, name, st);
        continue;
      }
      if (st.isSocket()) {
        continue;
      }
      if (st.isSymlink()) {
        to.symlink(name, from.readlink(name));
      } else if (st.isRegularFile()) {
        copyFile(from, to, name, st);
      } else {
        to.mknod(name, st.mode(), st.rdevMajor(), st.rdevMinor());
      }
      owner(to, name, st);
    }
  }

  private static void copyFile(Dir from, Dir to, String name, Stat st) throws IOException {
    int in = At.openat(from.fd(), name, At.O_RDONLY | At.O_NOFOLLOW | At.O_NONBLOCK, 0);
    try {
      int out = to.createFile(name, 0600);
      try {
        At.copy(in, out, st.size(), name);
      } finally {
        At.close(out);
      }
    } finally {
      At.close(in);
    }
  }

  /** Owner, then mode (a chown clears setuid bits), then times; a symlink keeps its mode. */
  private static void owner(Dir dir, String name, Stat st) throws PosixException {
    dir.chown(name, st.uid(), st.gid());
    if (!st.isSymlink()) {
      dir.chmod(name, st.permissions());
    }
    dir.setTimes(name, null, st.mtime());
  }

  private static List<String> names(Dir dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir.procPath(""))) {
      for (Path p : ds) {
        out.add(p.getFileName().toString());
      }
    }
    out.sort(null);
    return out;
  }
}
