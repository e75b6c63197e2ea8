package dev.jbuild.cli;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.container.ContainerState;
import dev.jbuild.runner.container.Containers;
import dev.jbuild.runner.container.PortMapping;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jbuild port CONTAINER [PORT[/PROTO]]}: a container's published ports, as docker port. */
@Command(
    name = "port",
    mixinStandardHelpOptions = true,
    description = "List a container's published ports (or where one port is published).")
public final class PortCommand implements Callable<Integer> {
  @ParentCommand JbuildCommand root;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "CONTAINER")
  String container;

  @Parameters(index = "1", arity = "0..1", paramLabel = "PORT[/PROTO]")
  String port;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (Store store = Store.open(root.storeRoot())) {
      Containers all = Containers.open(store, null);
      ContainerState s = all.find(container);
      int wanted = -1;
      String proto = "tcp";
      if (port != null) {
        String[] f = port.split("/", 2);
        try {
          wanted = Integer.parseInt(f[0]);
        } catch (NumberFormatException e) {
          throw new UserException(ExitCodes.USAGE, "invalid port \"" + port + "\"");
        }
        proto = f.length > 1 ? f[1].toLowerCase(Locale.ROOT) : "tcp";
      }
      boolean any = false;
      for (PortMapping p : all.wiring(s.record().id()).ports()) {
        if (wanted < 0) {
          out.println(p.describe());
          any = true;
        } else if (p.containerPort() == wanted && p.protocol().equals(proto)) {
          String d = p.describe();
          out.println(d.substring(d.indexOf("-> ") + 3));
          any = true;
        }
      }
      out.flush();
      if (!any && port != null) {
        throw new UserException(
            ExitCodes.FAILED, "no public port '" + port + "' published for " + container);
      }
      return ExitCodes.OK;
    } catch (RunnerException e) {
      throw new UserException(ExitCodes.FAILED, e.getMessage(), e);
    }
  }
}
