package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * Remove image names (and images no name uses). (Placeholder: implemented by the layer-cache work.)
 */
@Command(
    name = "rmi",
    mixinStandardHelpOptions = true,
    description = "Remove image names (and images no name uses).")
public final class RmiCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild rmi: not implemented yet");
  }
}
