package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Pull an image from a registry. (Placeholder: implemented by the registry work.) */
@Command(
    name = "pull",
    mixinStandardHelpOptions = true,
    description = "Pull an image from a registry.")
public final class PullCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild pull: not implemented yet");
  }
}
