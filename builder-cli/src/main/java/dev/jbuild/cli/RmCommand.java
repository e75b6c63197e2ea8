package dev.jbuild.cli;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.container.Containers;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jbuild rm}: removes containers (their files, mounts and state). */
@Command(
    name = "rm",
    mixinStandardHelpOptions = true,
    description = "Remove containers (-f: running ones too, killed first).")
public final class RmCommand implements Callable<Integer> {
  @ParentCommand JbuildCommand root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-f", "--force"},
      description = "Kill and remove running containers.")
  boolean force;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container IDs or names.")
  List<String> containers;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int rc = ExitCodes.OK;
    try (Store store = Store.open(root.storeRoot())) {
      Containers all = Containers.open(store, null);
      for (String c : containers) {
        try {
          all.remove(c, force);
          out.println(c);
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
