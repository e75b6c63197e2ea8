package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** List containers started with run -d. (Placeholder: implemented by the runner work.) */
@Command(
    name = "ps",
    mixinStandardHelpOptions = true,
    description = "List containers started with run -d.")
public final class PsCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild ps: not implemented yet");
  }
}
