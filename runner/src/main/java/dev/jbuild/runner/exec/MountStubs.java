package dev.jbuild.runner.exec;

import dev.jbuild.layercache.fs.Dir;
import dev.jbuild.layercache.fs.Errno;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.PosixException;
import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.tar.TarNames;
import dev.jbuild.runner.fs.RootPath;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The mount targets the runtime will create because the image lacks them (/proc, /dev, /sys,
 * /etc/hosts, a secret's or cache's target...). Recorded before the run on the merged rootfs;
 * afterwards removed from the upper directory when still empty, and the modification time of the
 * existing directory they were created in is restored, so the diff does not see them (as BuildKit
 * does).
 */
final class MountStubs {
  private final List<String> created;
  private final Map<String, Instant> parentTimes;

  private MountStubs(List<String> created, Map<String, Instant> parentTimes) {
    this.created = created;
    this.parentTimes = parentTimes;
  }

  /** Records which components of each target are missing in {@code rootfs}. */
  static MountStubs record(Path rootfs, List<String> targets) throws IOException {
    Set<String> created = new LinkedHashSet<>();
    Map<String, Instant> parentTimes = new HashMap<>();
    for (String target : targets) {
      Path resolved = RootPath.resolve(rootfs, target);
      Path rel = rootfs.relativize(resolved);
      if (rel.toString().isEmpty()) {
        continue;
      }
      Path cur = rootfs;
      String parentRel = "";
      for (int i = 0; i < rel.getNameCount(); i++) {
        Path next = cur.resolve(rel.getName(i));
        String nextRel = rel.subpath(0, i + 1).toString();
        if (Posix.lstatOrNull(next) == null) {
          if (!parentTimes.containsKey(parentRel)) {
            Stat parent = Posix.lstatOrNull(cur);
            if (parent != null) {
              parentTimes.put(parentRel, parent.mtime());
            }
          }
          for (int j = i; j < rel.getNameCount(); j++) {
            created.add(rel.subpath(0, j + 1).toString());
          }
          break;
        }
        cur = next;
        parentRel = nextRel;
      }
    }
    List<String> ordered = new ArrayList<>(created);
    ordered.sort(Comparator.comparingInt((String s) -> s.split("/").length).reversed());
    return new MountStubs(ordered, parentTimes);
  }

  boolean isEmpty() {
    return created.isEmpty();
  }

  /**
   * Removes the stubs from {@code upper} (the run is over and the overlay unmounted). The step may
   * have replaced any parent of a stub by a symlink (to "/", say): each stub is looked up in the
   * upper directory with no symlink followed, so only the stub the runtime made there can go, and a
   * stub whose path now crosses a symlink is left to the layer as the step's change.
   */
  void removeFrom(Path upper) throws IOException {
    try (RootDir root = RootDir.open(upper)) {
      for (String rel : created) {
        try (Dir parent = openNoSymlinks(root, TarNames.parent(rel))) {
          if (parent == null) {
            continue;
          }
          String base = TarNames.baseName(rel);
          Stat st = parent.lstat(base);
          if (st == null) {
            continue;
          }
          try {
            if (st.isDirectory()) {
              parent.rmdir(base);
            } else if (st.isRegularFile() && st.size() == 0) {
              parent.unlink(base);
            }
          } catch (PosixException e) {
            if (e.errno() != Errno.ENOTEMPTY && e.errno() != Errno.EEXIST) {
              throw e;
            }
            // the step put something there: it stays
          }
        }
      }
      for (Map.Entry<String, Instant> e : parentTimes.entrySet()) {
        try (Dir d = openNoSymlinks(root, e.getKey().isEmpty() ? TarNames.ROOT : e.getKey())) {
          if (d != null) {
            d.setTimes("", null, e.getValue());
          }
        }
      }
    }
  }

  /** The directory {@code rel} of {@code root} reached without any symlink, or null. */
  private static Dir openNoSymlinks(RootDir root, String rel) throws PosixException {
    try {
      return root.openDir(rel, true);
    } catch (PosixException e) {
      if (e.errno() == Errno.ELOOP || e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
        return null;
      }
      throw e;
    }
  }
}
