package dev.jbuild.runner.chroot;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.tar.DirectoryWalker;
import dev.jbuild.runner.RunMount;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.Trees;
import dev.jbuild.runner.fs.RootPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What stands in for the mounts a container gets, in a copied root where nothing can be mounted: a
 * fresh /dev with Docker's few device nodes and /dev/shm, the run's /etc/hosts and
 * /etc/resolv.conf, and the step's mounts (bind, cache, secret: the source copied in; writable ones
 * copied back out after the step; tmpfs: an empty directory). What was at such a path is moved
 * aside (a rename: same inode, same stat) and put back after the step; the directories created for
 * them are removed and their parents' mtimes restored, so the diff sees none of it.
 */
final class Scaffold {
  /** Docker's device nodes: name, major, minor. */
  private static final Object[][] DEVICES = {
    {"null", 1, 3},
    {"zero", 1, 5},
    {"full", 1, 7},
    {"random", 1, 8},
    {"urandom", 1, 9},
    {"tty", 5, 0}
  };

  private interface Filler {
    void fill(Path at) throws IOException;
  }

  private record Placed(String rel, Path aside, Path writeBack) {}

  private final Path rootfs;
  private final Path asideDir;
  private final List<Placed> placed = new ArrayList<>();
  private final List<String> created = new ArrayList<>();
  private final Map<String, Instant> parentTimes = new LinkedHashMap<>();

  Scaffold(Path rootfs, Path asideDir) {
    this.rootfs = rootfs;
    this.asideDir = asideDir;
  }

  void devices() throws IOException {
    place(
        "/dev",
        null,
        at -> {
          Files.createDirectory(at);
          Posix.chmod(at, 0755);
          for (Object[] d : DEVICES) {
            Path node = at.resolve((String) d[0]);
            Posix.mknod(node, Stat.S_IFCHR | 0666, (Integer) d[1], (Integer) d[2]);
            Posix.chmod(node, 0666);
          }
          Path shm = at.resolve("shm");
          Files.createDirectory(shm);
          Posix.chmod(shm, 01777);
        });
  }

  void file(String target, String content) throws IOException {
    place(
        target,
        null,
        at -> {
          Files.writeString(at, content, StandardCharsets.UTF_8);
          Posix.chmod(at, 0644);
        });
  }

  void mount(RunMount m) throws IOException {
    switch (m) {
      case RunMount.Tmpfs t ->
          place(
              t.target(),
              null,
              at -> {
                Files.createDirectory(at);
                Posix.chmod(at, t.mode());
              });
      case RunMount.Bind b -> {
        Stat st = Posix.lstatOrNull(b.source());
        if (st == null) {
          throw RunnerErrors.chrootFailed("mount source " + b.source() + " does not exist");
        }
        place(
            b.target(),
            b.readOnly() || !st.isDirectory() ? null : b.source(),
            at -> {
              if (st.isSocket()) {
                try {
                  Files.createLink(at, b.source());
                } catch (IOException e) {
                  throw RunnerErrors.chrootFailed(
                      "cannot give the step the socket " + b.target() + " (" + e + ")");
                }
              } else {
                FileCopies.copyTree(b.source(), at);
              }
            });
      }
    }
  }

  private void place(String target, Path writeBack, Filler filler) throws IOException {
    Path resolved = RootPath.resolve(rootfs, target);
    Path rel = rootfs.relativize(resolved);
    if (rel.toString().isEmpty()) {
      throw RunnerErrors.chrootFailed("cannot mount over the root directory");
    }
    Path cur = rootfs;
    for (int i = 0; i < rel.getNameCount() - 1; i++) {
      Path next = cur.resolve(rel.getName(i));
      Stat st = Posix.lstatOrNull(next);
      if (st == null) {
        rememberTime(cur);
        Files.createDirectory(next);
        Posix.chmod(next, 0755);
        created.add(rootfs.relativize(next).toString());
      } else if (!st.isDirectory()) {
        throw RunnerErrors.chrootFailed("mount target " + target + " is not below a directory");
      }
      cur = next;
    }
    rememberTime(cur);
    Path aside = null;
    if (Posix.lstatOrNull(resolved) != null) {
      Files.createDirectories(asideDir);
      aside = asideDir.resolve(Integer.toString(placed.size()));
      Files.move(resolved, aside, StandardCopyOption.ATOMIC_MOVE);
    }
    placed.add(new Placed(rel.toString(), aside, writeBack));
    filler.fill(resolved);
  }

  private void rememberTime(Path dir) throws IOException {
    String rel = rootfs.relativize(dir).toString();
    if (!parentTimes.containsKey(rel) && !created.contains(rel)) {
      parentTimes.put(rel, Posix.lstat(dir).mtime());
    }
  }

  /**
   * Copies writable mounts back to their sources, removes everything placed, puts back what was
   * moved aside, removes the directories created and restores their parents' mtimes. A path the
   * step made cross a symlink is left alone (nothing is followed out of the root).
   */
  void undo() throws IOException {
    for (Placed p : placed.reversed()) {
      Path at = inside(p.rel());
      if (at == null) {
        continue;
      }
      if (p.writeBack() != null && Posix.lstatOrNull(at) != null) {
        Stat st = Posix.lstat(at);
        if (st.isDirectory()) {
          for (String n : DirectoryWalker.sortedNames(p.writeBack())) {
            Trees.delete(p.writeBack().resolve(n));
          }
          for (String n : DirectoryWalker.sortedNames(at)) {
            FileCopies.copyTree(at.resolve(n), p.writeBack().resolve(n));
          }
        }
      }
      Trees.delete(at);
      if (p.aside() != null) {
        Files.move(p.aside(), at, StandardCopyOption.ATOMIC_MOVE);
      }
    }
    for (String rel : created.reversed()) {
      Path at = inside(rel);
      if (at != null) {
        try {
          Files.deleteIfExists(at);
        } catch (java.nio.file.DirectoryNotEmptyException e) {
          // the step put something there: it stays
        }
      }
    }
    for (Map.Entry<String, Instant> e : parentTimes.entrySet()) {
      Path at = e.getKey().isEmpty() ? rootfs : inside(e.getKey());
      if (at != null && Posix.lstatOrNull(at) != null && Posix.lstat(at).isDirectory()) {
        Posix.utimensat(at, null, e.getValue());
      }
    }
  }

  /** {@code rel} below the root when no parent of it is a symlink or missing, else null. */
  private Path inside(String rel) throws IOException {
    Path r = Path.of(rel);
    Path cur = rootfs;
    for (int i = 0; i < r.getNameCount() - 1; i++) {
      cur = cur.resolve(r.getName(i));
      Stat st = Posix.lstatOrNull(cur);
      if (st == null || !st.isDirectory()) {
        return null;
      }
    }
    return cur.resolve(r.getFileName());
  }
}
