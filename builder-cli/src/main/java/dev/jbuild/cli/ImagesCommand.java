package dev.jbuild.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** List images in the store. (Placeholder: implemented by the layer-cache work.) */
@Command(
    name = "images",
    mixinStandardHelpOptions = true,
    description = "List images in the store.")
public final class ImagesCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    throw new UserException(ExitCodes.FAILED, "jbuild images: not implemented yet");
  }
}
