package dev.jbuild.builder.attest;

import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.LayerReader;
import dev.jbuild.layercache.tar.TarNames;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the packages of an image's final root filesystem (read from its layer blobs in the store,
 * {@link ImageFiles}): dpkg, apk, rpm's SQLite database ({@link RpmDatabase}; its older Berkeley DB
 * and ndb forms get a note), npm, Maven jars, Python.
 */
final class PackageScan {
  private PackageScan() {}

  static final int MAX_DATABASE = 64 << 20;
  static final int MAX_SMALL = 1 << 20;
  static final int MAX_OS_RELEASE = 64 << 10;

  /** The packages, sorted by purl and without duplicates, and notes on what was not read. */
  record Result(List<Pkg> packages, List<String> notes) {}

  /** Scans the layers of an image in the store, base first. */
  static Result scan(Store store, List<CacheRecord.Layer> layers, ImageFiles.Limits limits)
      throws IOException {
    List<ImageFiles.LayerSource> sources = new ArrayList<>();
    for (CacheRecord.Layer l : layers) {
      sources.add(() -> LayerReader.open(store.blobs().path(l.blob().digest())));
    }
    return scan(sources, limits);
  }

  static Result scan(List<ImageFiles.LayerSource> bottomFirst, ImageFiles.Limits limits)
      throws IOException {
    ImageFiles.Found found = ImageFiles.read(bottomFirst, PackageScan::select, limits);
    Map<String, Object> files = found.files();
    byte[] osRelease =
        files.get("etc/os-release") instanceof byte[] b
            ? b
            : files.get("usr/lib/os-release") instanceof byte[] u ? u : null;
    DistroPackages.Distro distro = DistroPackages.osRelease(osRelease);
    List<Pkg> all = new ArrayList<>();
    List<String> notes = new ArrayList<>(found.notes());
    for (var e : files.entrySet()) {
      String path = e.getKey();
      String source = "/" + path;
      switch (e.getValue()) {
        case byte[] raw when path.equals("lib/apk/db/installed") ->
            all.addAll(DistroPackages.apk(raw, source, distro));
        case byte[] raw when isDpkg(path) -> all.addAll(DistroPackages.dpkg(raw, source, distro));
        case byte[] raw when path.endsWith("/rpmdb.sqlite") -> {
          try {
            byte[] wal = files.get(path + "-wal") instanceof byte[] w ? w : null;
            all.addAll(RpmDatabase.packages(raw, wal, source, distro));
          } catch (RpmDatabase.Malformed m) {
            notes.add(source + ": not read: " + m.getMessage());
          }
        }
        case byte[] raw when RPM_OLD.contains(path) ->
            notes.add(source + ": rpm's Berkeley DB and ndb databases are not read");
        case List<?> pkgs -> {
          for (Object o : pkgs) {
            all.add((Pkg) o);
          }
        }
        default -> {}
      }
    }
    Map<String, Pkg> byPurl = new java.util.TreeMap<>();
    for (Pkg p : all) {
      byPurl.putIfAbsent(p.purl(), p);
    }
    return new Result(List.copyOf(byPurl.values()), List.copyOf(notes));
  }

  private static boolean isDpkg(String path) {
    return path.equals("var/lib/dpkg/status")
        || TarNames.parent(path).equals("var/lib/dpkg/status.d");
  }

  /** What the SBOM reads of each path; null for everything else. */
  private static final java.util.Set<String> RPM_DIRS =
      java.util.Set.of("var/lib/rpm", "usr/lib/sysimage/rpm");

  private static final java.util.Set<String> RPM_OLD =
      java.util.Set.of(
          "var/lib/rpm/Packages",
          "var/lib/rpm/Packages.db",
          "usr/lib/sysimage/rpm/Packages",
          "usr/lib/sysimage/rpm/Packages.db");

  static ImageFiles.Extractor select(String path) {
    if (RPM_DIRS.contains(TarNames.parent(path))) {
      String base = path.substring(path.lastIndexOf('/') + 1);
      if (base.equals("rpmdb.sqlite") || base.equals("rpmdb.sqlite-wal")) {
        return (p, in, size, budget) -> ImageFiles.bounded(in, size, MAX_DATABASE, budget);
      }
      if (RPM_OLD.contains(path)) {
        return (p, in, size, budget) -> new byte[0];
      }
    }
    String base = TarNames.baseName(path);
    String parent = TarNames.parent(path);
    if (path.equals("var/lib/dpkg/status") || path.equals("lib/apk/db/installed")) {
      return (p, in, size, budget) -> ImageFiles.bounded(in, size, MAX_DATABASE, budget);
    }
    if (parent.equals("var/lib/dpkg/status.d") && !base.endsWith(".md5sums")) {
      return (p, in, size, budget) -> ImageFiles.bounded(in, size, MAX_SMALL, budget);
    }
    if (path.equals("etc/os-release") || path.equals("usr/lib/os-release")) {
      return (p, in, size, budget) -> ImageFiles.bounded(in, size, MAX_OS_RELEASE, budget);
    }
    if (base.equals("package-lock.json") || base.equals(".package-lock.json")) {
      return (p, in, size, budget) ->
          LanguagePackages.npmLock(ImageFiles.bounded(in, size, MAX_DATABASE, budget), "/" + p);
    }
    if (base.equals("package.json") && inNodeModules(parent)) {
      return (p, in, size, budget) -> {
        Pkg pkg =
            LanguagePackages.npmPackageJson(
                ImageFiles.bounded(in, size, MAX_SMALL, budget), "/" + p);
        return pkg == null ? null : List.of(pkg);
      };
    }
    if (base.equals("METADATA") && TarNames.baseName(parent).endsWith(".dist-info")) {
      return (p, in, size, budget) -> {
        Pkg pkg = LanguagePackages.python(prefix(in, size, MAX_SMALL, budget), "/" + p);
        return pkg == null ? null : List.of(pkg);
      };
    }
    if (JarPoms.isArchive(base)) {
      return (p, in, size, budget) -> {
        List<Pkg> pkgs = JarPoms.read(in, p, budget);
        return pkgs.isEmpty() ? null : pkgs;
      };
    }
    return null;
  }

  /** {@code node_modules/NAME} or {@code node_modules/@SCOPE/NAME}. */
  private static boolean inNodeModules(String dir) {
    String up = TarNames.parent(dir);
    if (TarNames.baseName(up).equals("node_modules")) {
      return !TarNames.baseName(dir).startsWith("@") && !TarNames.baseName(dir).startsWith(".");
    }
    return TarNames.baseName(dir).startsWith("@")
        ? false
        : TarNames.baseName(up).startsWith("@")
            && TarNames.baseName(TarNames.parent(up)).equals("node_modules");
  }

  /** The first {@code max} bytes of a file (its headers, for a METADATA file). */
  private static byte[] prefix(InputStream in, long size, int max, ImageFiles.Budget budget)
      throws IOException {
    int n = (int) Math.min(size, max);
    if (!budget.take(n)) {
      throw new ImageFiles.SkipFile("over the SBOM's read budget: not read");
    }
    return in.readNBytes(n);
  }

  static Map<String, Integer> countByType(List<Pkg> pkgs) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (Pkg p : pkgs) {
      out.merge(p.type(), 1, Integer::sum);
    }
    return out;
  }
}
