package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Remove stored registry credentials. (Placeholder: implemented by the registry work.) */
@Command(
    name = "logout",
    mixinStandardHelpOptions = true,
    description = "Remove stored registry credentials.")
public final class LogoutCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild logout: not implemented yet");
  }
}
