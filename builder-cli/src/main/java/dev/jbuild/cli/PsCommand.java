package dev.jbuild.cli;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.container.ContainerRecord;
import dev.jbuild.runner.container.ContainerState;
import dev.jbuild.runner.container.Containers;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jbuild ps}: CONTAINER ID IMAGE COMMAND CREATED STATUS NAMES, like {@code docker ps}. */
@Command(
    name = "ps",
    mixinStandardHelpOptions = true,
    description = "List running containers (-a: all of them).")
public final class PsCommand implements Callable<Integer> {
  @ParentCommand JbuildCommand root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-a", "--all"},
      description = "Show all containers (default: running ones).")
  boolean all;

  @Option(
      names = {"-q", "--quiet"},
      description = "Only show container IDs.")
  boolean quiet;

  @Option(names = "--no-trunc", description = "Do not truncate IDs and commands.")
  boolean noTrunc;

  @Override
  public Integer call() throws Exception {
    List<ContainerState> states;
    java.util.Map<String, String> ports = new java.util.HashMap<>();
    try (Store store = Store.open(root.storeRoot())) {
      Containers containers = Containers.open(store, null);
      states = containers.list();
      for (ContainerState s : states) {
        if (s.isRunning()) {
          ports.put(
              s.record().id(),
              String.join(
                  ", ",
                  containers.wiring(s.record().id()).ports().stream()
                      .map(dev.jbuild.runner.container.PortMapping::psForm)
                      .toList()));
        }
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    Instant now = Instant.now();
    Formats.Table table =
        new Formats.Table(
            "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES");
    for (ContainerState s : states) {
      if (!all && !s.isRunning()) {
        continue;
      }
      ContainerRecord r = s.record();
      String id = noTrunc ? r.id() : r.shortId();
      if (quiet) {
        out.println(id);
        continue;
      }
      String cmd = String.join(" ", r.command());
      table.row(
          id,
          r.image(),
          "\"" + (noTrunc ? cmd : Formats.truncate(cmd, 20)) + "\"",
          Formats.ago(r.created(), now),
          status(s, now),
          ports.getOrDefault(r.id(), ""),
          r.name());
    }
    if (!quiet) {
      table.print(out);
    }
    out.flush();
    return ExitCodes.OK;
  }

  public static String status(ContainerState s, Instant now) {
    Instant started = s.run() == null ? s.record().created() : s.run().startedAt();
    String up = "Up " + Formats.humanDuration(Duration.between(started, now));
    String health = s.run() == null || s.run().health().isEmpty() ? "" : s.run().health();
    if (health.equals("starting")) {
      health = "health: starting";
    }
    return switch (s.status()) {
      case CREATED -> "Created";
      case RUNNING -> health.isEmpty() ? up : up + " (" + health + ")";
      case PAUSED -> up + " (Paused)";
      case RESTARTING ->
          "Restarting (" + s.run().lastExitCode() + ") " + Formats.ago(s.run().lastExitAt(), now);
      case EXITED -> "Exited (" + s.exitCode() + ") " + Formats.ago(s.finished(), now);
      case DEAD -> "Dead";
    };
  }
}
