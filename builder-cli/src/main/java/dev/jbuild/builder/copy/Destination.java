package dev.jbuild.builder.copy;

import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.tar.TarNames;
import java.io.IOException;
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

  static Destination resolve(RootfsView rootfs, String dest, List<CopyItem> items)
      throws IOException {
    boolean trailing = dest.endsWith("/") || dest.endsWith("/.") || dest.equals(".");
    // Several file sources into a path that is not a directory each land at that path, the last
    // one winning: BuildKit copies source by source and never refuses (only the legacy builder
    // wanted a trailing '/').
    boolean dirWanted =
        trailing || items.stream().anyMatch(i -> i instanceof CopyItem.Tree t && t.isDirectory());
    List<String> parts = clean(dest);
    if (parts.isEmpty()) {
      return new Destination(TarNames.ROOT, true, true);
    }
    if (rootfs == null) {
      return new Destination(String.join("/", parts), dirWanted, false);
    }
    String parent =
        rootfs.resolve("/" + String.join("/", parts.subList(0, parts.size() - 1)), true);
    String rel = parent.isEmpty() ? parts.getLast() : parent + "/" + parts.getLast();
    Stat st = rootfs.lstat(rel);
    if (st != null && st.isSymlink()) {
      String followed = rootfs.resolve("/" + rel, true);
      Stat fst = rootfs.lstat(followed);
      if (dirWanted || (fst != null && fst.isDirectory())) {
        rel = followed;
        st = fst;
      }
    }
    if (rel.isEmpty()) {
      return new Destination(TarNames.ROOT, true, true);
    }
    boolean isDir = st != null && st.isDirectory() || dirWanted;
    return new Destination(rel, isDir, st != null);
  }

  /** Clean components of an absolute path; ".." stops at the root. */
  static List<String> clean(String path) {
    return TarNames.components(path);
  }
}
