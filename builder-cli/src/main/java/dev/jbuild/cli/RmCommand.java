package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Remove stopped containers. (Placeholder: implemented by the runner work.) */
@Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove stopped containers.")
public final class RmCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild rm: not implemented yet");
  }
}
