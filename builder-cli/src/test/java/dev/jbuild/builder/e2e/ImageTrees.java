package dev.jbuild.builder.e2e;

import dev.jbuild.layercache.archive.LocalExport;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.LayerReader;
import dev.jbuild.layercache.tar.TarEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * An image's file system and config as comparable text, to tell whether two builds of one
 * Dockerfile (root, rootless, chroot) made the same image: one line per path with its type, mode,
 * uid, gid and content hash (symlink target, device numbers), and the config without its times.
 * Modification times are left out (they are the build's clock, not its result). {@link #layers}
 * adds what each layer tar carries (ids, modes, extended attributes), which the final tree can
 * hide: a file chowned in one layer and deleted in the next.
 */
public final class ImageTrees {
  private ImageTrees() {}

  /** The image {@code ref} of the store at {@code root}: its tree lines, then its config line. */
  public static List<String> describe(Path storeRoot, String ref, Path scratch) throws IOException {
    Path fs = Files.createTempDirectory(scratch, "tree-");
    try (Store store = Store.open(storeRoot)) {
      Descriptor d = resolve(store, ref, storeRoot);
      LocalExport.write(store, d, fs);
      List<String> out = tree(fs);
      out.add("config " + config(store.images().image(d).config().toBytes()));
      return out;
    } finally {
      delete(fs);
    }
  }

  /** The layer lines ({@link #layers(Store, Image)}) of image {@code ref} of the store. */
  public static List<String> layers(Path storeRoot, String ref) throws IOException {
    try (Store store = Store.open(storeRoot)) {
      Descriptor d = resolve(store, ref, storeRoot);
      return layers(store, store.images().image(d));
    }
  }

  private static Descriptor resolve(Store store, String ref, Path storeRoot) throws IOException {
    return store
        .images()
        .resolve(ref)
        .orElseThrow(() -> new IOException("no image " + ref + " in " + storeRoot));
  }

  /**
   * One line per entry of each layer tar of {@code image}, in tar order, after a {@code layer N}
   * line: {@code name type mode uid:gid size=... [-> link] [xattr names]}, without times.
   */
  public static List<String> layers(Store store, Image image) throws IOException {
    List<String> out = new ArrayList<>();
    int i = 0;
    for (Descriptor layer : image.manifest().layers()) {
      out.add("layer " + ++i);
      try (LayerReader r = LayerReader.open(store.blobs().path(layer.digest()))) {
        for (TarEntry e = r.next(); e != null; e = r.next()) {
          StringBuilder b = new StringBuilder("  ").append(e.name()).append(' ');
          b.append(e.type()).append(' ').append(Integer.toOctalString(e.mode()));
          b.append(' ').append(e.uid()).append(':').append(e.gid());
          b.append(" size=").append(e.size());
          if (!e.linkName().isEmpty()) {
            b.append(" -> ").append(e.linkName());
          }
          if (!e.xattrs().isEmpty()) {
            b.append(" xattrs=").append(e.xattrs().keySet());
          }
          out.add(b.toString());
        }
      }
    }
    return out;
  }

  /** One line per path below {@code dir}, sorted: {@code /a/b file 644 0:0 sha256=...}. */
  public static List<String> tree(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted().toList()) {
        Stat st = Posix.lstat(p);
        String name = "/" + dir.relativize(p).toString().replace('\\', '/');
        StringBuilder b = new StringBuilder(name).append(' ');
        b.append(type(st)).append(' ').append(Integer.toOctalString(st.permissions()));
        b.append(' ').append(st.uid()).append(':').append(st.gid());
        if (st.isRegularFile()) {
          b.append(" sha256=").append(sha256(p));
        } else if (st.isSymlink()) {
          b.append(" -> ").append(Files.readSymbolicLink(p));
        } else if (st.isCharDevice() || st.isBlockDevice()) {
          b.append(' ').append(st.rdevMajor()).append(',').append(st.rdevMinor());
        }
        out.add(b.toString());
      }
    }
    return out;
  }

  /**
   * The first line where two descriptions differ ({@code "line N: A <> B"}), or null when they are
   * equal: short enough for an assertion message.
   */
  public static String firstDifference(List<String> a, List<String> b) {
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      String x = i < a.size() ? a.get(i) : "(nothing)";
      String y = i < b.size() ? b.get(i) : "(nothing)";
      if (!x.equals(y)) {
        return "line " + (i + 1) + ": " + x + "  <>  " + y;
      }
    }
    return null;
  }

  /**
   * The config JSON without {@code created}, the history entries' {@code created} and the layer
   * diff IDs (a layer's digest covers its files' modification times, which are the build's clock).
   */
  static String config(byte[] json) {
    JsonObject c = Json.parseObject(json).without("created").without("rootfs");
    if (c.get("history") instanceof JsonArray h) {
      List<Json> entries = new ArrayList<>();
      for (Json e : h.elements()) {
        entries.add(e instanceof JsonObject o ? o.without("created") : e);
      }
      c = c.toBuilder().put("history", new JsonArray(entries)).build();
    }
    return c.toString();
  }

  private static String type(Stat st) {
    if (st.isDirectory()) {
      return "dir";
    } else if (st.isRegularFile()) {
      return "file";
    } else if (st.isSymlink()) {
      return "symlink";
    } else if (st.isCharDevice()) {
      return "char";
    } else if (st.isBlockDevice()) {
      return "block";
    } else if (st.isFifo()) {
      return "fifo";
    }
    return "other";
  }

  private static String sha256(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
