package dev.jbuild.runner.workspace;

import dev.jbuild.runner.Trees;
import dev.jbuild.runner.net.UserNetwork;
import dev.jbuild.runner.runc.OciRuntime;
import dev.jbuild.runner.sys.MountTable;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes what a killed jbuild left behind: run directories whose owner process is gone (their
 * runtime container, mounts and files), and runtime state of runs without a directory. Runs of live
 * processes (another build sharing the store) and detached containers are left alone.
 */
public final class Sweeper {
  private Sweeper() {}

  /** What one sweep removed. */
  public record Report(List<String> runs, int mounts, List<String> containers) {
    public boolean isEmpty() {
      return runs.isEmpty() && mounts == 0 && containers.isEmpty();
    }
  }

  public static Report sweep(Path storeRoot, OciRuntime runtime) throws IOException {
    Path runs = storeRoot.resolve(RunDir.RUNS);
    List<String> removed = new ArrayList<>();
    int mounts = 0;
    List<String> live = new ArrayList<>();
    if (Files.isDirectory(runs)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(runs)) {
        for (Path dir : ds) {
          String id = dir.getFileName().toString();
          if (ownerAlive(dir)) {
            live.add(id);
            continue;
          }
          if (runtime != null) {
            runtime.delete(id);
          }
          UserNetwork.stopLeftover(dir);
          mounts += MountTable.unmountAll(dir);
          Trees.delete(dir);
          removed.add(id);
        }
      }
    }
    List<String> containers = new ArrayList<>();
    if (runtime != null) {
      for (String id : runtime.list()) {
        Path dir = runs.resolve(id);
        if (id.startsWith(RunDir.ID_PREFIX)
            && !live.contains(id)
            && !(Files.isDirectory(dir) && ownerAlive(dir))) {
          runtime.delete(id);
          containers.add(id);
        }
      }
    }
    return new Report(removed, mounts, containers);
  }

  private static boolean ownerAlive(Path dir) throws IOException {
    return RunDir.ownerAlive(dir);
  }
}
