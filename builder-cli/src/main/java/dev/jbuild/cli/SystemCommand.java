package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Store-wide commands (df). (Placeholder: implemented by the layer-cache work.) */
@Command(
    name = "system",
    mixinStandardHelpOptions = true,
    description = "Store-wide commands (df).")
public final class SystemCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild system: not implemented yet");
  }
}
