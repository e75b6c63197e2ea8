package dev.jbuild.cli;

import dev.jbuild.layercache.archive.ArchiveLoader;
import dev.jbuild.layercache.archive.TaggedImage;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Loads images from a docker-archive or OCI archive and tags them. */
@Command(
    name = "load",
    mixinStandardHelpOptions = true,
    description = {
      "Load images from a docker save archive or an OCI archive (plain or compressed) and tag",
      "them; a loaded image can be used in FROM."
    })
public final class LoadCommand implements Callable<Integer> {
  @ParentCommand JbuildCommand root;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-i", "--input"},
      paramLabel = "FILE",
      description = "Archive to read (default: standard input).")
  Path input;

  @Override
  public Integer call() {
    try (Store store = Store.open(root.storeRoot());
        var _ = store.lockShared()) {
      List<TaggedImage> loaded =
          input == null
              ? ArchiveLoader.load(store, root.stdin(), "standard input")
              : ArchiveLoader.load(store, input);
      var out = spec.commandLine().getOut();
      for (TaggedImage t : loaded) {
        out.println(
            t.name() != null
                ? "Loaded image: " + t.name()
                : "Loaded image ID: " + t.manifest().digest());
      }
      out.flush();
      return ExitCodes.OK;
    } catch (IOException e) {
      throw new UserException(ExitCodes.FAILED, "load failed: " + e.getMessage(), e);
    }
  }
}
