package dev.jbuild.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jbuild stop}: the stop signal (SIGTERM), then SIGKILL after the grace period. */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    description =
        "Stop running containers: the stop signal (--stop-signal, the image's STOPSIGNAL, else"
            + " SIGTERM), then SIGKILL.")
public final class StopCommand implements Callable<Integer> {
  @ParentCommand JbuildCommand root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

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
    return EachContainer.apply(root, spec, containers, (all, name) -> all.stop(name, timeout));
  }
}
