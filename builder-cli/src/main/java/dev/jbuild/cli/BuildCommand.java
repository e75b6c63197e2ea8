package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Build an image from a Dockerfile. (Placeholder: implemented by the builder work.) */
@Command(
    name = "build",
    mixinStandardHelpOptions = true,
    description = "Build an image from a Dockerfile.")
public final class BuildCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild build: not implemented yet");
  }
}
