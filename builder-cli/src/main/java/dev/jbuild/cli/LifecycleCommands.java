package dev.jbuild.cli;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.container.ContainerLogs;
import dev.jbuild.runner.container.Containers;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild start}, {@code restart}, {@code kill}, {@code wait}, {@code pause}, {@code
 * unpause}, {@code rename} and {@code container prune}: the container lifecycle as docker spells it
 * (the containers' monitors do the work; see runner's README, "Containers").
 */
final class LifecycleCommands {
  private LifecycleCommands() {}

  /** {@code jbuild start [-a] CONTAINER...}. */
  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = {
        "Start created or stopped containers in the background.",
        "-a: follow the container's output and exit with its exit code (one container)."
      })
  static final class Start implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = {"-a", "--attach"},
        description = "Attach to its output (stdout and stderr) until it exits.")
    boolean attach;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container IDs or names.")
    List<String> containers;

    @Override
    public Integer call() throws Exception {
      if (!attach) {
        return EachContainer.apply(
            JbuildCommand.of(spec), spec, containers, (all, name) -> all.start(name));
      }
      if (containers.size() != 1) {
        throw new UserException(
            ExitCodes.USAGE, "you cannot start and attach multiple containers at once");
      }
      try (Store store = Store.open(JbuildCommand.of(spec).storeRoot())) {
        Containers all = Containers.open(store, null);
        String id = all.find(containers.getFirst()).record().id();
        java.time.Instant from = java.time.Instant.now();
        all.start(id);
        ContainerLogs.followFrom(all, id, from, LogsCommand.sink(spec));
        return all.await(id);
      } catch (RunnerException e) {
        throw new UserException(e.exitCode(), e.getMessage(), e);
      }
    }
  }

  /** {@code jbuild restart [-t S] CONTAINER...}. */
  @Command(
      name = "restart",
      mixinStandardHelpOptions = true,
      description = "Stop (stop signal, then SIGKILL after -t seconds) and start containers.")
  static final class Restart implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = {"-t", "--time"},
        paramLabel = "SECONDS",
        description =
            "Seconds to wait before killing (default: the container's --stop-timeout, else 10).")
    Integer seconds;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container IDs or names.")
    List<String> containers;

    @Override
    public Integer call() throws Exception {
      if (seconds != null && seconds < 0) {
        throw new UserException(ExitCodes.USAGE, "--time must not be negative");
      }
      Duration timeout = seconds == null ? null : Duration.ofSeconds(seconds);
      return EachContainer.apply(
          JbuildCommand.of(spec), spec, containers, (all, name) -> all.restart(name, timeout));
    }
  }

  /** {@code jbuild kill [-s SIGNAL] CONTAINER...}. */
  @Command(
      name = "kill",
      mixinStandardHelpOptions = true,
      description = "Send a signal (default SIGKILL) to running containers' main processes.")
  static final class Kill implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = {"-s", "--signal"},
        paramLabel = "SIGNAL",
        description = "Signal name (KILL, SIGHUP) or number (default: KILL).")
    String signal = "KILL";

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container IDs or names.")
    List<String> containers;

    @Override
    public Integer call() throws Exception {
      return EachContainer.apply(
          JbuildCommand.of(spec), spec, containers, (all, name) -> all.kill(name, signal));
    }
  }

  /** {@code jbuild wait CONTAINER...}: prints each exit code. */
  @Command(
      name = "wait",
      mixinStandardHelpOptions = true,
      description = "Block until containers stop, then print their exit codes.")
  static final class Wait implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container IDs or names.")
    List<String> containers;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      int rc = ExitCodes.OK;
      try (Store store = Store.open(JbuildCommand.of(spec).storeRoot())) {
        Containers all = Containers.open(store, null);
        for (String name : containers) {
          try {
            out.println(all.await(name));
            out.flush();
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

  /** {@code jbuild pause CONTAINER...}. */
  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description = "Freeze all processes of running containers (cgroup freezer).")
  static final class Pause implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container IDs or names.")
    List<String> containers;

    @Override
    public Integer call() throws Exception {
      return EachContainer.apply(
          JbuildCommand.of(spec), spec, containers, (all, name) -> all.pause(name, true));
    }
  }

  /** {@code jbuild unpause CONTAINER...}. */
  @Command(
      name = "unpause",
      mixinStandardHelpOptions = true,
      description = "Thaw the processes of paused containers.")
  static final class Unpause implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container IDs or names.")
    List<String> containers;

    @Override
    public Integer call() throws Exception {
      return EachContainer.apply(
          JbuildCommand.of(spec), spec, containers, (all, name) -> all.pause(name, false));
    }
  }

  /** {@code jbuild top CONTAINER [ps OPTIONS]}: the host's ps over the container's processes. */
  @Command(
      name = "top",
      mixinStandardHelpOptions = true,
      description = "Show a running container's processes (ps -f, or the ps options given).")
  static final class Top implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container ID or name.")
    String container;

    @Parameters(
        index = "1..*",
        paramLabel = "PS_OPTIONS",
        description = "ps options (default: -f).")
    List<String> psOptions = new java.util.ArrayList<>();

    @Override
    public Integer call() throws Exception {
      List<Long> pids;
      try (Store store = Store.open(JbuildCommand.of(spec).storeRoot())) {
        pids = Containers.open(store, null).pids(container);
      } catch (RunnerException e) {
        throw new UserException(e.exitCode(), e.getMessage(), e);
      }
      if (pids.isEmpty()) {
        throw new UserException(ExitCodes.FAILED, "container " + container + " has no process");
      }
      List<String> cmd = new java.util.ArrayList<>(List.of("ps"));
      cmd.addAll(psOptions.isEmpty() ? List.of("-f") : psOptions);
      cmd.add("-p");
      cmd.add(String.join(",", pids.stream().map(String::valueOf).toList()));
      Process p =
          new ProcessBuilder(cmd)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectErrorStream(true)
              .start();
      String text =
          new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      int rc = p.waitFor();
      PrintWriter out = spec.commandLine().getOut();
      out.print(text);
      out.flush();
      return rc == 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }
  }

  /** {@code jbuild rename CONTAINER NEW_NAME}. */
  @Command(name = "rename", mixinStandardHelpOptions = true, description = "Rename a container.")
  static final class Rename implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container ID or name.")
    String container;

    @Parameters(index = "1", paramLabel = "NEW_NAME", description = "Its new name.")
    String newName;

    @Override
    public Integer call() throws Exception {
      try (Store store = Store.open(JbuildCommand.of(spec).storeRoot())) {
        Containers.open(store, null).rename(container, newName);
        return ExitCodes.OK;
      } catch (RunnerException e) {
        throw new UserException(ExitCodes.FAILED, e.getMessage(), e);
      }
    }
  }

  /** {@code jbuild container prune}. */
  @Command(
      name = "container",
      mixinStandardHelpOptions = true,
      description = "Container-wide commands.",
      subcommands = {ContainerPrune.class, ContainerInspectCommand.class})
  static final class Container implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(spec.commandLine().getOut());
      return ExitCodes.USAGE;
    }
  }

  /** {@code jbuild container inspect}: {@code jbuild inspect --type container}. */
  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description = "Show containers as JSON, as docker container inspect.")
  static final class ContainerInspectCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = {"-f", "--format"},
        paramLabel = "TEMPLATE",
        description = "A Go template, e.g. '{{.State.Status}}'.")
    String format;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container IDs or names.")
    List<String> containers;

    @Override
    public Integer call() throws Exception {
      InspectCommand inspect = new InspectCommand();
      inspect.spec = spec;
      inspect.format = format;
      inspect.type = "container";
      inspect.images = containers;
      return inspect.call();
    }
  }

  /** {@code jbuild container prune [-f]}: removes every stopped container. */
  @Command(
      name = "prune",
      mixinStandardHelpOptions = true,
      description = "Remove all stopped containers.")
  static final class ContainerPrune implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = {"-f", "--force"},
        description = "Do not prompt for confirmation (jbuild never prompts).")
    boolean force;

    @Override
    public Integer call() throws Exception {
      List<String> removed;
      try (Store store = Store.open(JbuildCommand.of(spec).storeRoot())) {
        removed = Containers.open(store, null).prune();
      }
      PrintWriter out = spec.commandLine().getOut();
      if (!removed.isEmpty()) {
        out.println("Deleted Containers:");
        removed.forEach(out::println);
        out.println();
      }
      out.flush();
      return ExitCodes.OK;
    }
  }
}
