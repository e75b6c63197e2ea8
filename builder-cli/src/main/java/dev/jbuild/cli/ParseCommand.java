package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * Print a Dockerfile's instruction graph after expansion. (Placeholder: implemented by the grammar
 * work.)
 */
@Command(
    name = "parse",
    mixinStandardHelpOptions = true,
    description = "Print a Dockerfile's instruction graph after expansion.")
public final class ParseCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild parse: not implemented yet");
  }
}
