package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Show an image's manifest and config. (Placeholder: implemented by the layer-cache work.) */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = "Show an image's manifest and config.")
public final class InspectCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild inspect: not implemented yet");
  }
}
