package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Stop running containers. (Placeholder: implemented by the runner work.) */
@Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop running containers.")
public final class StopCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild stop: not implemented yet");
  }
}
