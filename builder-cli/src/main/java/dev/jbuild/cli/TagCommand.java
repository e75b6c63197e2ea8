package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Give an image another name. (Placeholder: implemented by the layer-cache work.) */
@Command(name = "tag", mixinStandardHelpOptions = true, description = "Give an image another name.")
public final class TagCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild tag: not implemented yet");
  }
}
