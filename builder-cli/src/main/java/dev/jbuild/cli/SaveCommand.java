package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Write images to an OCI or docker archive. (Placeholder: implemented by the registry work.) */
@Command(
    name = "save",
    mixinStandardHelpOptions = true,
    description = "Write images to an OCI or docker archive.")
public final class SaveCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild save: not implemented yet");
  }
}
