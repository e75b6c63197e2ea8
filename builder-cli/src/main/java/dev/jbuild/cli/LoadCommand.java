package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Load images from an OCI or docker archive. (Placeholder: implemented by the registry work.) */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    description = "Load images from an OCI or docker archive.")
public final class LoadCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild load: not implemented yet");
  }
}
