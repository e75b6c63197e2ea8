package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Start a container from an image. (Placeholder: implemented by the runner work.) */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Start a container from an image.")
public final class RunCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild run: not implemented yet");
  }
}
