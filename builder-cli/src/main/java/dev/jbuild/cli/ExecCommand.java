package dev.jbuild.cli;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.container.Attach;
import dev.jbuild.runner.container.Containers;
import dev.jbuild.runner.container.ExecOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild exec [-i] [-t] [-d] [-u USER] [-w DIR] [-e K=V] CONTAINER CMD...}: a process in a
 * running container (its namespaces, capabilities and seccomp filter), exit code = the process's.
 */
@Command(
    name = "exec",
    modelTransformer = RunCommand.StopAtImage.class,
    mixinStandardHelpOptions = true,
    description = "Run a command in a running container.")
public final class ExecCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-i", "--interactive"},
      description = "Pass jbuild's standard input to the command.")
  boolean interactive;

  @Option(
      names = {"-t", "--tty"},
      description = "Allocate a pseudo-terminal.")
  boolean tty;

  @Option(
      names = {"-d", "--detach"},
      description = "Start the command in the background.")
  boolean detach;

  @Option(
      names = {"-u", "--user"},
      paramLabel = "USER[:GROUP]",
      description = "User (name or uid, optional group), resolved in the container.")
  String user;

  @Option(
      names = {"-w", "--workdir"},
      paramLabel = "DIR",
      description = "Working directory inside the container.")
  String workdir;

  @Option(
      names = {"-e", "--env"},
      paramLabel = "K=V",
      description = "Set an environment variable (K alone: from jbuild's environment).")
  List<String> env = new ArrayList<>();

  @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container ID or name.")
  String container;

  @Parameters(
      index = "1..*",
      arity = "1..*",
      paramLabel = "CMD",
      description = "Command and arguments.")
  List<String> command = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (detach && tty) {
      throw new UserException(ExitCodes.USAGE, "-t cannot be combined with -d");
    }
    JbuildCommand r = JbuildCommand.of(spec);
    Attach attach =
        r.isClientCall()
            ? Attach.streams(interactive, r.stdout(), r.stderr())
            : tty || Main.processStdio()
                ? Attach.processStdio(interactive)
                : Attach.streams(
                    interactive,
                    new WriterOutputStream(spec.commandLine().getOut()),
                    new WriterOutputStream(spec.commandLine().getErr()));
    try (Store store = Store.open(JbuildCommand.of(spec).storeRoot())) {
      Containers all = Containers.open(store, null);
      int rc =
          all.exec(container, new ExecOptions(command, user, workdir, env, tty, detach), attach);
      spec.commandLine().getOut().flush();
      return rc;
    } catch (RunnerException e) {
      throw new UserException(e.exitCode(), e.getMessage(), e);
    }
  }
}
