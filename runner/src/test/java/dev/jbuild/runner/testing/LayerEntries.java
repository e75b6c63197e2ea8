package dev.jbuild.runner.testing;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** The entries of a layer blob as one line each, for exact assertions. */
public final class LayerEntries {
  private LayerEntries() {}

  /**
   * "TYPE name mode uid:gid" plus " size" for files with content, " -> target" for links and "
   * xattrs=[names]" when there are PAX xattrs.
   */
  public static List<String> of(Store store, Digest blob) throws IOException {
    try (InputStream in = store.blobs().open(blob)) {
      return of(in);
    }
  }

  /** The entries of an uncompressed layer tar. */
  public static List<String> of(InputStream in) throws IOException {
    List<String> out = new ArrayList<>();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        out.add(describe(e));
      }
    }
    return out;
  }

  /** Only "TYPE name" per entry. */
  public static List<String> names(Store store, Digest blob) throws IOException {
    return of(store, blob).stream()
        .map(
            l -> {
              String[] f = l.split(" ");
              return f[0] + " " + f[1];
            })
        .toList();
  }

  static String describe(TarArchiveEntry e) {
    String type =
        e.isSymbolicLink()
            ? "SYMLINK"
            : e.isLink()
                ? "HARDLINK"
                : e.isDirectory()
                    ? "DIR"
                    : e.isCharacterDevice()
                        ? "CHAR"
                        : e.isBlockDevice() ? "BLOCK" : e.isFIFO() ? "FIFO" : "FILE";
    String name = e.getName();
    if (name.endsWith("/")) {
      name = name.substring(0, name.length() - 1);
    }
    StringBuilder sb = new StringBuilder();
    sb.append(type).append(' ').append(name).append(' ');
    sb.append(String.format("%04o", e.getMode() & 07777)).append(' ');
    sb.append(e.getLongUserId()).append(':').append(e.getLongGroupId());
    if (type.equals("FILE") && e.getSize() > 0) {
      sb.append(' ').append(e.getSize());
    }
    if (type.endsWith("LINK")) {
      sb.append(" -> ").append(e.getLinkName());
    }
    List<String> xattrs = new ArrayList<>();
    for (String k : e.getExtraPaxHeaders().keySet()) {
      if (k.startsWith("SCHILY.xattr.")) {
        xattrs.add(k.substring("SCHILY.xattr.".length()));
      }
    }
    java.util.Collections.sort(xattrs);
    if (!xattrs.isEmpty()) {
      sb.append(" xattrs=").append(xattrs);
    }
    return sb.toString();
  }
}
