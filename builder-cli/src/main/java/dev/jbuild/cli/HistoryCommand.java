package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Show an image's history. (Placeholder: implemented by the layer-cache work.) */
@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = "Show an image's history.")
public final class HistoryCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild history: not implemented yet");
  }
}
