package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Push an image to a registry. (Placeholder: implemented by the registry work.) */
@Command(
    name = "push",
    mixinStandardHelpOptions = true,
    description = "Push an image to a registry.")
public final class PushCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild push: not implemented yet");
  }
}
