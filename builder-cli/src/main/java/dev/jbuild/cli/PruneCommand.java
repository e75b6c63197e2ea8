package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * Remove what no tag and no recent cache record needs. (Placeholder: implemented by the layer-cache
 * work.)
 */
@Command(
    name = "prune",
    mixinStandardHelpOptions = true,
    description = "Remove what no tag and no recent cache record needs.")
public final class PruneCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild prune: not implemented yet");
  }
}
