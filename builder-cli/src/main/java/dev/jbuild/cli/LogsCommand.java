package dev.jbuild.cli;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.container.ContainerLogs;
import dev.jbuild.runner.container.Containers;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jbuild logs [-f] [--tail N] [--since T] [-t] CONTAINER}, as {@code docker logs}. */
@Command(
    name = "logs",
    mixinStandardHelpOptions = true,
    description = {
      "Show a container's output (stdout and stderr, kept json-file style in the store).",
      "Detached and started containers log; a foreground 'jbuild run' writes to the terminal only."
    })
public final class LogsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = {"-f", "--follow"},
      description = "Follow the output while the container runs.")
  boolean follow;

  @Option(
      names = {"-n", "--tail"},
      paramLabel = "N",
      description = "Only the last N lines (default: all).")
  String tail = "all";

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description =
          "Lines from TIME on: a timestamp (2026-12-05T10:00:00Z, unix seconds) or a"
              + " duration ago (30s, 10m, 1h).")
  String since;

  @Option(
      names = {"-t", "--timestamps"},
      description = "Prefix each line with its time.")
  boolean timestamps;

  @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container ID or name.")
  String container;

  @Override
  public Integer call() throws Exception {
    int n;
    if (tail.equals("all")) {
      n = -1;
    } else {
      try {
        n = Integer.parseInt(tail);
      } catch (NumberFormatException e) {
        throw new UserException(
            ExitCodes.USAGE, "invalid --tail \"" + tail + "\": a number or all");
      }
      n = Math.max(n, -1);
    }
    ContainerLogs.Options o =
        new ContainerLogs.Options(follow, n, since == null ? null : since(since), timestamps);
    try (Store store = Store.open(JbuildCommand.of(spec).storeRoot())) {
      Containers all = Containers.open(store, null);
      ContainerLogs.read(all, container, o, sink(spec));
    } catch (RunnerException e) {
      throw new UserException(e.exitCode(), e.getMessage(), e);
    }
    return ExitCodes.OK;
  }

  /** Docker's --since: RFC 3339, unix seconds (with a fraction), or a duration before now. */
  static Instant since(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      // below
    }
    if (text.matches("[0-9]+(\\.[0-9]{1,9})?")) {
      java.math.BigDecimal d = new java.math.BigDecimal(text);
      return Instant.ofEpochSecond(
          d.longValue(), d.remainder(java.math.BigDecimal.ONE).movePointRight(9).longValue());
    }
    try {
      return Instant.now().minus(Formats.parseDuration(text));
    } catch (IllegalArgumentException e) {
      throw new UserException(
          ExitCodes.USAGE,
          "invalid --since \""
              + text
              + "\": a timestamp (2026-12-05T10:00:00Z), unix seconds or"
              + " a duration (10m)");
    }
  }

  /** stdout entries to jbuild's stdout, stderr entries to its stderr, flushed as they come. */
  static ContainerLogs.Sink sink(CommandSpec spec) {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return (stderr, text) -> {
      PrintWriter w = stderr ? err : out;
      w.print(text);
      w.flush();
    };
  }
}
