package dev.jbuild.builder.attest;

import dev.jbuild.layercache.tar.EntryType;
import dev.jbuild.layercache.tar.LayerReader;
import dev.jbuild.layercache.tar.TarEntry;
import dev.jbuild.layercache.tar.TarNames;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The files of an image's final root filesystem that the SBOM reads, taken from its layer tars
 * (never from a tree on the host, so no symlink in the image can lead anywhere): the layers are
 * read bottom first with overlayfs's rules (a whiteout deletes, an opaque directory hides what
 * lower layers put under it, a non-directory hides everything below its name, a later entry
 * replaces an earlier one). A symlink is never followed: a package database reachable only through
 * one is not read.
 *
 * <p>What is kept of a file is what its {@link Extractor} makes of it (a package database's bytes,
 * the {@code pom.properties} of a jar), never more than the {@link Limits} allow.
 */
final class ImageFiles {
  private ImageFiles() {}

  /**
   * Bounds on what is read from an image.
   *
   * @param maxFiles wanted files kept at most (more are ignored, with a note)
   * @param maxTotalBytes bytes read from wanted files in all (inflated jar bytes included)
   * @param maxKeptBytes bytes of files kept whole in memory until the end (package databases)
   * @param maxPackages packages kept in all
   */
  record Limits(int maxFiles, long maxTotalBytes, long maxKeptBytes, int maxPackages) {
    Limits(int maxFiles, long maxTotalBytes) {
      this(maxFiles, maxTotalBytes, 128L << 20, 500_000);
    }

    static Limits defaults() {
      return new Limits(200_000, 4L << 30);
    }
  }

  /** What the SBOM wants of a file; {@link #extract} returns null to keep nothing. */
  interface Extractor {
    Object extract(String path, InputStream content, long size, Budget budget) throws IOException;
  }

  /** Picks the extractor of a path (clean, relative), or null for a file the SBOM does not read. */
  interface Selector {
    Extractor select(String path);
  }

  /** The bytes left to read; extractors charge what they read. */
  static final class Budget {
    private long left;

    Budget(long total) {
      this.left = total;
    }

    boolean take(long n) {
      if (n > left) {
        left = 0;
        return false;
      }
      left -= n;
      return true;
    }

    boolean exhausted() {
      return left <= 0;
    }
  }

  /** The result: path -> extracted value, and notes on what was skipped. */
  record Found(Map<String, Object> files, List<String> notes) {}

  /** One layer's tar, opened when its turn comes. */
  interface LayerSource {
    LayerReader open() throws IOException;
  }

  static Found read(List<LayerSource> bottomFirst, Selector selector, Limits limits)
      throws IOException {
    TreeMap<String, Object> files = new TreeMap<>();
    List<String> notes = new java.util.ArrayList<>();
    Budget budget = new Budget(limits.maxTotalBytes());
    boolean full = false;
    long kept = 0;
    long packages = 0;
    for (LayerSource source : bottomFirst) {
      TreeMap<String, Object> upper = new TreeMap<>();
      try (LayerReader r = source.open()) {
        for (TarEntry e; (e = r.next()) != null; ) {
          String name = e.name();
          if (name.equals(TarNames.ROOT)) {
            continue;
          }
          if (e.isOpaqueMarker()) {
            clearBelow(files, TarNames.parent(name));
            continue;
          }
          if (e.isWhiteout()) {
            String deleted =
                TarNames.join(
                    TarNames.parent(name),
                    TarNames.baseName(name).substring(TarNames.WHITEOUT_PREFIX.length()));
            files.remove(deleted);
            clearBelow(files, deleted);
            continue;
          }
          files.remove(name);
          upper.remove(name);
          if (e.type() != EntryType.DIR) {
            clearBelow(files, name);
            clearBelow(upper, name);
          }
          Extractor x = selector.select(name);
          if (x == null) {
            continue;
          }
          if (e.type() == EntryType.HARDLINK) {
            Object target = upper.containsKey(e.linkName()) ? upper.get(e.linkName()) : null;
            if (target != null) {
              upper.put(name, target);
            }
            continue;
          }
          if (e.type() != EntryType.FILE) {
            continue; // a symlink, device or directory where a database would be: not followed
          }
          if (files.size() + upper.size() >= limits.maxFiles()) {
            if (!full) {
              notes.add("more than " + limits.maxFiles() + " package files: the rest not read");
              full = true;
            }
            continue;
          }
          if (budget.exhausted()) {
            if (!full) {
              notes.add(
                  "read " + limits.maxTotalBytes() + " bytes of package files: the rest not read");
              full = true;
            }
            continue;
          }
          try {
            Object v = x.extract(name, r.content(), e.size(), budget);
            if (v instanceof byte[] b) {
              kept += b.length; // never given back: a bound, not an account
              if (kept > limits.maxKeptBytes()) {
                throw new SkipFile("over the " + limits.maxKeptBytes() + " bytes kept in memory");
              }
            } else if (v instanceof List<?> l) {
              packages += l.size();
              if (packages > limits.maxPackages()) {
                throw new SkipFile("more than " + limits.maxPackages() + " packages: not read");
              }
            }
            if (v != null) {
              upper.put(name, v);
            }
          } catch (SkipFile s) {
            notes.add("/" + name + ": " + s.getMessage());
          }
        }
      }
      files.putAll(upper);
    }
    return new Found(files, notes);
  }

  /** Thrown by an extractor for a file it will not read (too large, malformed). */
  static final class SkipFile extends IOException {
    SkipFile(String message) {
      super(message);
    }
  }

  private static void clearBelow(TreeMap<String, Object> files, String dir) {
    if (dir.equals(TarNames.ROOT) || dir.isEmpty()) {
      files.clear();
      return;
    }
    files.subMap(dir + "/", true, dir + "0", false).clear(); // '0' sorts right after '/'
  }

  /** At most {@code max} bytes of {@code in} ({@code size} declared), charged to the budget. */
  static byte[] bounded(InputStream in, long size, int max, Budget budget) throws IOException {
    if (size > max) {
      throw new SkipFile("larger than " + max + " bytes (" + size + "): not read");
    }
    if (!budget.take(size)) {
      throw new SkipFile("over the SBOM's read budget: not read");
    }
    byte[] b = in.readNBytes((int) size);
    return b;
  }
}
