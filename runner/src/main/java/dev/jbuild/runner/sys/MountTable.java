package dev.jbuild.runner.sys;

import dev.jbuild.layercache.fs.Errno;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The mount points of this process's mount namespace (/proc/self/mountinfo). */
public final class MountTable {
  private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

  private MountTable() {}

  /** All mount points, in mountinfo order. */
  public static List<Path> mountPoints() throws IOException {
    List<Path> out = new ArrayList<>();
    for (String line : Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8)) {
      String[] f = line.split(" ");
      if (f.length > 4) {
        out.add(Path.of(unescape(f[4])));
      }
    }
    return out;
  }

  /** Mount points at or below {@code dir}, deepest first (the order to unmount them in). */
  public static List<Path> under(Path dir) throws IOException {
    Path d = dir.toAbsolutePath().normalize();
    List<Path> out = new ArrayList<>();
    for (Path p : mountPoints()) {
      if (p.startsWith(d)) {
        out.add(p);
      }
    }
    out.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    return out;
  }

  /** Unmounts (lazily) everything at or below {@code dir}; returns how many mounts it removed. */
  public static int unmountAll(Path dir) throws IOException {
    int n = 0;
    for (Path p : under(dir)) {
      try {
        Syscalls.umount(p, Syscalls.MNT_DETACH | Syscalls.UMOUNT_NOFOLLOW);
        n++;
      } catch (SyscallException e) {
        if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT) {
          throw e;
        }
      }
    }
    return n;
  }

  private static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length()) {
        out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
