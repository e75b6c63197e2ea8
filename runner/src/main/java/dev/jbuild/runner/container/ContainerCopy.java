package dev.jbuild.runner.container;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.fs.At;
import dev.jbuild.layercache.fs.Dir;
import dev.jbuild.layercache.fs.Errno;
import dev.jbuild.layercache.fs.PosixException;
import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.tar.EntryType;
import dev.jbuild.layercache.tar.LayerReader;
import dev.jbuild.layercache.tar.LayerWriter;
import dev.jbuild.layercache.tar.LayerWriterOptions;
import dev.jbuild.layercache.tar.TarEntry;
import dev.jbuild.layercache.tar.TarNames;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.runc.OciRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code jbuild cp}, with docker cp's rules: a file onto a missing path is written under that name
 * (its parent must exist; a path ending in "/" must be an existing directory), onto a file
 * overwrites it, into a directory keeps its name; a directory onto a missing path becomes that
 * directory, into a directory becomes a sub-directory of the same name, or only its content when
 * the source ends in {@code /.}; a directory onto a file is refused. A symlink source is copied as
 * a symlink unless {@code followLink} ({@code -L}); symlinks in the destination path are followed
 * (inside the container for a container path). Owners: the container's root for what goes in, the
 * caller for what comes out, the source's with {@code archive} ({@code -a}); modes and times are
 * kept. {@code -} is a tar on stdin or stdout (owners as in the container).
 *
 * <p>Every container path is resolved in the container's {@link ContainerRoot} (a running
 * container's own mount tree, or a stopped one's overlay with its volumes and binds mounted in a
 * mount namespace of its own), and both sides are read and written through descriptors ({@link
 * CopyReader}, {@link CopyWriter}): a symlink in the container never leads to the host.
 *
 * <p>The daemon's {@code HEAD/GET/PUT /containers/{id}/archive} are {@link #stat}, {@link #archive}
 * and {@link #extract} over the same roots, readers and writers (docker's API rules: the path's
 * {@link PathStat}; a tar of a path under its base name; a tar extracted into an existing directory
 * with the archive's owners, {@code noOverwriteDirNonDir}, devices refused).
 */
public final class ContainerCopy {
  /** {@code -a} and {@code -L}. */
  public record Options(boolean archive, boolean followLink) {}

  private final Containers all;
  private final Store store;
  private final OciRuntime runtime;
  private final Path dir;

  ContainerCopy(Containers all, Store store, OciRuntime runtime, Path dir) {
    this.all = all;
    this.store = store;
    this.runtime = runtime;
    this.dir = dir;
  }

  /** {@code cp CONTAINER:SRC DEST}. */
  public void toHost(String ref, String src, Path dest, Options o) throws IOException {
    ContainerState s = all.find(ref);
    try (ContainerRoot cr = open(s)) {
      Source from = source(cr.root(), src, o.followLink(), ref + ":" + src, true);
      Path abs = dest.toAbsolutePath();
      boolean exists = Files.exists(abs);
      boolean isDir = Files.isDirectory(abs);
      Plan p = plan(from, exists, isDir, dest.toString(), dest.toString());
      Path base = p.intoDest ? abs : abs.getParent();
      if (base == null || !Files.isDirectory(base)) {
        throw RunnerErrors.copyFailed(
            "invalid output path: directory \"" + base + "\" does not exist");
      }
      long[] me = self();
      try (RootDir hostDir = RootDir.open(base);
          CopyWriter w =
              new CopyWriter(hostDir.dir(), base.toString(), me[0], me[1], o.archive())) {
        new CopyReader(ref + ":" + src).read(cr.root(), from.path, from.follow, p.top, w);
      }
    }
  }

  /** {@code cp CONTAINER:SRC -}: a tar of SRC (named by its base name) to {@code out}. */
  public void toTar(String ref, String src, OutputStream out, Options o) throws IOException {
    ContainerState s = all.find(ref);
    try (ContainerRoot cr = open(s)) {
      Source from = source(cr.root(), src, o.followLink(), ref + ":" + src, true);
      String top = from.contentsOnly || from.base.isEmpty() ? null : from.base;
      LayerWriter w = LayerWriter.open(out, LayerWriterOptions.of(Compression.NONE));
      new CopyReader(ref + ":" + src).read(cr.root(), from.path, from.follow, top, sink(w));
      w.finish();
      out.flush();
    }
  }

  private static CopyReader.Sink sink(LayerWriter w) {
    return (e, content) -> {
      if (content == null) {
        w.add(e);
      } else {
        w.add(e, content);
      }
    };
  }

  /** Where the daemon's {@code GET} archive goes: opened once the path's stat is known. */
  public interface ArchiveTarget {
    /** The stream for the tar (finished, not closed, by the copy), given the path's stat. */
    OutputStream open(PathStat stat) throws IOException;
  }

  /** Docker's stat of {@code path} of container {@code ref} (the daemon's {@code HEAD}). */
  public PathStat stat(String ref, String path) throws IOException {
    ContainerState s = all.find(ref);
    try (ContainerRoot cr = open(s)) {
      return PathStat.of(cr.root(), path);
    }
  }

  /**
   * The daemon's {@code GET /containers/{id}/archive?path=}: the stat of {@code path} to {@code
   * target}, then {@code path} as a tar (named by its base name; a symlink as a symlink unless the
   * path ends in {@code /} or {@code /.}) to the stream it opened.
   */
  public void archive(String ref, String path, ArchiveTarget target) throws IOException {
    ContainerState s = all.find(ref);
    try (ContainerRoot cr = open(s)) {
      archive(cr.root(), path, target, ref + ":" + path);
    }
  }

  static void archive(RootDir root, String path, ArchiveTarget target, String what)
      throws IOException {
    PathStat st = PathStat.of(root, path);
    List<String> parts = TarNames.components(path);
    String top = parts.isEmpty() ? null : parts.getLast();
    OutputStream out = target.open(st);
    LayerWriter w = LayerWriter.open(out, LayerWriterOptions.of(Compression.NONE));
    new CopyReader(what).read(root, path, PathStat.follows(path), top, sink(w));
    w.finish();
    out.flush();
  }

  /**
   * The daemon's {@code PUT /containers/{id}/archive?path=DIR}: the tar on {@code in} extracted
   * into existing directory DIR with the archive's owners, modes and times; devices refused.
   *
   * @param noOverwriteDirNonDir refuse to replace a directory by a non-directory or the reverse
   */
  public void extract(InputStream in, String ref, String dir, boolean noOverwriteDirNonDir)
      throws IOException {
    extract(in, ref, dir, noOverwriteDirNonDir, false);
  }

  /**
   * As {@link #extract(InputStream, String, String, boolean)}; with {@code copyUidGid} (docker's
   * {@code copyUIDGID}) what is written is owned by the container's user (its uid and gid as
   * resolved when it was created) rather than the archive's owners, unless that user is root
   * (docker chowns only for a container with a user).
   */
  public void extract(
      InputStream in, String ref, String dir, boolean noOverwriteDirNonDir, boolean copyUidGid)
      throws IOException {
    ContainerState s = all.find(ref);
    long[] owner = copyUidGid ? containerUser(s.record().id()) : null;
    try (ContainerRoot cr = open(s)) {
      extract(cr.root(), dir, in, noOverwriteDirNonDir, ref + ":" + dir, owner);
    }
  }

  /** The uid and gid of the container's process (its runtime spec), or null for root. */
  private long[] containerUser(String id) throws IOException {
    dev.jbuild.layercache.json.JsonObject spec;
    try {
      spec =
          dev.jbuild.layercache.json.Json.parseObject(
              Files.readAllBytes(dir.resolve(id).resolve("config.json")));
    } catch (java.nio.file.NoSuchFileException | IllegalArgumentException e) {
      return null;
    }
    dev.jbuild.layercache.json.JsonObject process = spec.object("process");
    dev.jbuild.layercache.json.JsonObject user = process == null ? null : process.object("user");
    if (user == null) {
      return null;
    }
    Long uid = user.longValue("uid");
    Long gid = user.longValue("gid");
    long u = uid == null ? 0 : uid;
    long g = gid == null ? 0 : gid;
    return u == 0 && g == 0 ? null : new long[] {u, g};
  }

  static void extract(
      RootDir root, String dir, InputStream in, boolean noOverwriteDirNonDir, String where)
      throws IOException {
    extract(root, dir, in, noOverwriteDirNonDir, where, null);
  }

  /** {@code owner}: the uid and gid of everything written, or null for the archive's owners. */
  static void extract(
      RootDir root,
      String dir,
      InputStream in,
      boolean noOverwriteDirNonDir,
      String where,
      long[] owner)
      throws IOException {
    Stat st = root.stat(dir, true);
    if (st == null) {
      throw PathStat.notFound(dir);
    }
    if (!st.isDirectory()) {
      throw RunnerErrors.copyFailed("extraction point is not a directory: " + dir);
    }
    try (CopyWriter w =
            new CopyWriter(
                root.openDir(dir),
                where,
                owner == null ? 0 : owner[0],
                owner == null ? 0 : owner[1],
                owner == null,
                noOverwriteDirNonDir,
                "extract");
        LayerReader r = LayerReader.open(in)) {
      TarEntry e;
      while ((e = r.next()) != null) {
        if (e.type() == EntryType.CHAR || e.type() == EntryType.BLOCK) {
          throw RunnerErrors.copyFailed(
              "device " + e.name() + " is not extracted into a container");
        }
        w.add(e, e.type() == EntryType.FILE ? r.content() : null);
      }
    }
  }

  /** {@code cp SRC CONTAINER:DEST}. */
  public void fromHost(Path src, String ref, String dest, Options o) throws IOException {
    ContainerState s = all.find(ref);
    Path abs = src.toAbsolutePath();
    Path parent = abs.getParent() == null ? abs : abs.getParent();
    String rel = abs.getParent() == null ? "" : abs.getFileName().toString();
    boolean dot = src.toString().equals(".") || src.toString().endsWith("/.");
    if (dot) {
      parent = abs.normalize();
      rel = "";
    }
    try (RootDir hostRoot = RootDir.open(parent);
        ContainerRoot cr = open(s)) {
      Source from = source(hostRoot, rel, o.followLink(), src.toString(), false);
      if (dot) {
        from = new Source(from.path, from.follow, from.stat, true, from.base);
      }
      Plan p = destination(cr.root(), from, ref, dest);
      try (CopyWriter w = writer(cr.root(), p, ref, dest, o)) {
        new CopyReader(src.toString()).read(hostRoot, from.path, from.follow, p.top, w);
      }
    }
  }

  /** {@code cp - CONTAINER:DEST}: the tar on {@code in} extracted into directory DEST. */
  public void fromTar(InputStream in, String ref, String dest, Options o) throws IOException {
    ContainerState s = all.find(ref);
    try (ContainerRoot cr = open(s)) {
      Stat st = cr.root().stat(dest, true);
      if (st == null || !st.isDirectory()) {
        throw RunnerErrors.copyFailed(
            "destination \"" + ref + ":" + dest + "\" must be a directory");
      }
      try (CopyWriter w = writer(cr.root(), new Plan(true, null, dest), ref, dest, o);
          LayerReader r = LayerReader.open(in)) {
        TarEntry e;
        while ((e = r.next()) != null) {
          w.add(e, e.type() == EntryType.FILE ? r.content() : null);
        }
      }
    }
  }

  private ContainerRoot open(ContainerState s) throws IOException {
    return ContainerRoot.open(store, runtime, s, dir.resolve(s.record().id()));
  }

  private CopyWriter writer(RootDir root, Plan p, String ref, String dest, Options o)
      throws IOException {
    Dir base;
    try {
      base = root.openDir(p.baseDir);
    } catch (PosixException e) {
      throw RunnerErrors.noSuchContainerPath(ref, p.baseDir);
    }
    return new CopyWriter(base, ref + ":" + dest, 0, 0, o.archive());
  }

  /** Where in the container a source goes (docker's rules), its parent checked. */
  private static Plan destination(RootDir root, Source from, String ref, String dest)
      throws IOException {
    Stat st = root.stat(dest, true);
    Plan p = plan(from, st != null, st != null && st.isDirectory(), dest, ref + ":" + dest);
    if (!p.intoDest) {
      Stat parent = root.stat(p.baseDir, true);
      if (parent == null || !parent.isDirectory()) {
        throw RunnerErrors.noSuchContainerPath(ref, p.baseDir);
      }
    }
    return p;
  }

  /**
   * @param intoDest whether the entries go into DEST itself (else into its parent)
   * @param top the name of the source's top entry there (null: its children only)
   * @param baseDir the container path of that directory (container destinations only)
   */
  private record Plan(boolean intoDest, String top, String baseDir) {}

  private static Plan plan(Source from, boolean exists, boolean isDir, String path, String label)
      throws IOException {
    String clean = TarNames.clean(path);
    String parent = TarNames.parent(clean);
    parent = path.startsWith("/") ? "/" + (parent.equals(TarNames.ROOT) ? "" : parent) : parent;
    String name = TarNames.baseName(clean);
    boolean slash = path.endsWith("/");
    if (!from.stat.isDirectory()) {
      if (exists && isDir) {
        return new Plan(true, from.base, path);
      }
      if (!exists && slash) {
        throw RunnerErrors.copyFailed("destination directory " + label + " does not exist");
      }
      return new Plan(false, name, parent);
    }
    if (exists && !isDir) {
      throw RunnerErrors.copyFailed("cannot copy a directory to a file: " + label);
    }
    if (exists) {
      return new Plan(true, from.contentsOnly || from.base.isEmpty() ? null : from.base, path);
    }
    return new Plan(false, name, parent);
  }

  private record Source(
      String path, boolean follow, Stat stat, boolean contentsOnly, String base) {}

  private static Source source(
      RootDir root, String path, boolean follow, String what, boolean inContainer)
      throws IOException {
    Stat st;
    try {
      int fd = root.resolve(path, follow, false);
      try {
        st = At.fstat(fd);
      } finally {
        At.close(fd);
      }
    } catch (PosixException e) {
      if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
        if (inContainer) {
          int colon = what.indexOf(':');
          throw RunnerErrors.noSuchContainerPath(what.substring(0, colon), path);
        }
        throw RunnerErrors.copyFailed("lstat " + what + ": no such file or directory");
      }
      throw RunnerErrors.copyFailed("cannot copy " + what + ": " + e.getMessage());
    }
    if (path.endsWith("/") && !st.isDirectory()) {
      throw RunnerErrors.copyFailed("cannot copy " + what + ": not a directory");
    }
    List<String> parts = TarNames.components(path);
    boolean dot = path.equals(".") || path.endsWith("/.") || parts.isEmpty();
    String base = parts.isEmpty() ? "" : parts.getLast();
    return new Source(path, follow, st, dot && st.isDirectory(), base);
  }

  /** The effective uid and gid of this process (the owners of /proc/self). */
  private static long[] self() throws IOException {
    Path p = Path.of("/proc/self");
    return new long[] {
      ((Number) Files.getAttribute(p, "unix:uid")).longValue(),
      ((Number) Files.getAttribute(p, "unix:gid")).longValue()
    };
  }
}
