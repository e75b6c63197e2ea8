package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Store registry credentials. (Placeholder: implemented by the registry work.) */
@Command(
    name = "login",
    mixinStandardHelpOptions = true,
    description = "Store registry credentials.")
public final class LoginCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild login: not implemented yet");
  }
}
