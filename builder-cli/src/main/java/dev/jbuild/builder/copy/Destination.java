package dev.jbuild.builder.copy;

import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.tar.TarNames;
import dev.jbuild.runner.fs.RootPath;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a COPY lands: the destination's canonical name in the layer, whether it is a directory, and
 * whether the image has it already.
 *
 * @param name canonical layer name ("." for the root)
 * @param isDir true when sources go inside it
 * @param exists true when the image's root filesystem has it
 */
record Destination(String name, boolean isDir, boolean exists) {

  static Destination resolve(Path rootfs, String dest, List<CopyItem> items) throws IOException {
    boolean trailing = dest.endsWith("/") || dest.endsWith("/.") || dest.equals(".");
    boolean dirWanted =
        trailing
            || items.size() > 1
            || items.stream().anyMatch(i -> i instanceof CopyItem.Tree t && t.isDirectory());
    List<String> parts = clean(dest);
    if (parts.isEmpty()) {
      return new Destination(TarNames.ROOT, true, true);
    }
    if (rootfs == null) {
      return new Destination(String.join("/", parts), dirWanted, false);
    }
    Path parent =
        RootPath.resolve(rootfs, "/" + String.join("/", parts.subList(0, parts.size() - 1)));
    Path target = parent.resolve(parts.getLast());
    Stat st = CopyLayer.lstat(target);
    if (st != null && st.isSymlink()) {
      Path followed = RootPath.resolve(rootfs, "/" + String.join("/", parts));
      Stat fst = CopyLayer.lstat(followed);
      if (dirWanted || (fst != null && fst.isDirectory())) {
        target = followed;
        st = fst;
      }
    }
    String name = rootfs.relativize(target).toString();
    if (name.isEmpty()) {
      return new Destination(TarNames.ROOT, true, true);
    }
    boolean isDir = st != null && st.isDirectory() || dirWanted;
    return new Destination(name, isDir, st != null);
  }

  /** Clean components of an absolute path; ".." stops at the root. */
  static List<String> clean(String path) {
    List<String> parts = new ArrayList<>();
    for (String p : path.split("/")) {
      if (p.isEmpty() || p.equals(".")) {
        continue;
      }
      if (p.equals("..")) {
        if (!parts.isEmpty()) {
          parts.removeLast();
        }
        continue;
      }
      parts.add(p);
    }
    return parts;
  }
}
