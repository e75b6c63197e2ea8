package dev.jbuild.runner.exec;

import dev.jbuild.layercache.fs.Dir;
import dev.jbuild.layercache.fs.Errno;
import dev.jbuild.layercache.fs.InRoot;
import dev.jbuild.layercache.fs.PosixException;
import dev.jbuild.layercache.fs.RootDir;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.user.ResolvedUser;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Creates a missing working directory as BuildKit's WORKDIR does: mode 0755, missing parents too,
 * each owned by the run's user and primary group. Where it goes is resolved inside the rootfs
 * (symlinks re-rooted); the directories are then made relative to descriptors of the rootfs, opened
 * without following any symlink, so nothing is created or chowned outside it.
 */
public final class Workdirs {
  private Workdirs() {}

  public static void create(Path rootfs, String workdir, ResolvedUser user) throws IOException {
    try (RootDir root = RootDir.open(rootfs)) {
      String rel = InRoot.resolve(root, workdir, true);
      if (rel.isEmpty()) {
        return;
      }
      Dir cur = root.dir();
      try {
        for (String name : rel.split("/")) {
          Stat s = cur.lstat(name);
          if (s == null) {
            cur.mkdir(name, 0755);
            cur.chmod(name, 0755);
            cur.chown(name, user.uid(), user.gid());
          } else if (!s.isDirectory()) {
            throw RunnerErrors.workdirNotDirectory(workdir);
          }
          Dir next;
          try {
            next = cur.openDir(name);
          } catch (PosixException e) {
            if (e.errno() == Errno.ELOOP || e.errno() == Errno.ENOTDIR) {
              throw RunnerErrors.workdirNotDirectory(workdir);
            }
            throw e;
          }
          cur.close();
          cur = next;
        }
      } finally {
        cur.close();
      }
    }
  }
}
