package dev.jbuild.cli;

import dev.jbuild.layercache.model.ImageReference;
import dev.jbuild.layercache.store.Store;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code jbuild tag SOURCE TARGET}. */
@Command(
    name = "tag",
    mixinStandardHelpOptions = true,
    description = "Give an image another name (SOURCE is a name or an image ID).")
public final class TagCommand implements Callable<Integer> {
  @ParentCommand JbuildCommand root;

  @Parameters(index = "0", paramLabel = "SOURCE")
  String source;

  @Parameters(index = "1", paramLabel = "TARGET")
  String target;

  @Override
  public Integer call() throws Exception {
    ImageReference ref;
    try {
      ref = ImageReference.parse(target);
    } catch (IllegalArgumentException e) {
      throw new UserException(ExitCodes.USAGE, e.getMessage());
    }
    if (ref.digest() != null) {
      throw new UserException(
          ExitCodes.USAGE, "invalid tag \"" + target + "\": a tag cannot contain a digest");
    }
    try (Store store = Store.open(root.storeRoot())) {
      ImageFinder.Found found = new ImageFinder(store).find(source);
      store.images().tag(target, found.entry());
    }
    return ExitCodes.OK;
  }
}
