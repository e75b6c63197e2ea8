package dev.jbuild.runner.exec;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.runner.fs.RootPath;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
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

  /** Removes the stubs from {@code upper} (the run is over and the overlay unmounted). */
  void removeFrom(Path upper) throws IOException {
    for (String rel : created) {
      Path p = upper.resolve(rel);
      Stat st = Posix.lstatOrNull(p);
      if (st == null) {
        continue;
      }
      if (st.isDirectory() || (st.isRegularFile() && st.size() == 0)) {
        try {
          Files.delete(p);
        } catch (DirectoryNotEmptyException e) {
          // the step put something there: it stays
        }
      }
    }
    for (Map.Entry<String, Instant> e : parentTimes.entrySet()) {
      Path p = e.getKey().isEmpty() ? upper : upper.resolve(e.getKey());
      Stat st = Posix.lstatOrNull(p);
      if (st != null && st.isDirectory()) {
        Posix.utimensat(p, null, e.getValue());
      }
    }
  }
}
