package dev.jbuild.cli;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.container.Containers;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code jbuild stop} and {@code rm} over several containers, as docker does: each name in turn,
 * printed when done; one that fails is reported and the rest still go, and the exit code says that
 * one failed.
 */
final class EachContainer {
  private EachContainer() {}

  /** What a command does to one container. */
  interface Action {
    void apply(Containers all, String name) throws IOException, InterruptedException;
  }

  static int apply(JbuildCommand root, CommandSpec spec, List<String> names, Action action)
      throws IOException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int rc = ExitCodes.OK;
    try (Store store = Store.open(root.storeRoot())) {
      Containers all = Containers.open(store, null);
      for (String name : names) {
        try {
          action.apply(all, name);
          out.println(name);
        } catch (RunnerException e) {
          err.println("jbuild: " + e.getMessage());
          rc = ExitCodes.FAILED;
        }
      }
    }
    out.flush();
    err.flush();
    return rc;
  }
}
