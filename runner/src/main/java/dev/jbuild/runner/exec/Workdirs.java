package dev.jbuild.runner.exec;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.fs.RootPath;
import dev.jbuild.runner.user.ResolvedUser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Creates a missing working directory as BuildKit's WORKDIR does: mode 0755, missing parents too,
 * each owned by the run's user and primary group.
 */
final class Workdirs {
  private Workdirs() {}

  static void create(Path rootfs, String workdir, ResolvedUser user) throws IOException {
    Path target = RootPath.resolve(rootfs, workdir);
    Stat st = Posix.lstatOrNull(target);
    if (st != null) {
      if (!st.isDirectory()) {
        throw RunnerErrors.workdirNotDirectory(workdir);
      }
      return;
    }
    Path rel = rootfs.relativize(target);
    Path cur = rootfs;
    for (int i = 0; i < rel.getNameCount(); i++) {
      cur = cur.resolve(rel.getName(i));
      Stat s = Posix.lstatOrNull(cur);
      if (s == null) {
        Files.createDirectory(cur);
        Posix.chmod(cur, 0755);
        Posix.lchown(cur, user.uid(), user.gid());
      } else if (!s.isDirectory()) {
        throw RunnerErrors.workdirNotDirectory(workdir);
      }
    }
  }
}
