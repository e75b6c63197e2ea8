package dev.jbuild.cli;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.Store;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild rmi}: a name is untagged (the image leaves the index with its last name); an image
 * ID removes the image, which needs {@code -f} when several names use it. Blobs and unpacked layers
 * are freed by {@code jbuild prune}.
 */
@Command(
    name = "rmi",
    mixinStandardHelpOptions = true,
    description = {
      "Remove image names (and images no name uses).",
      "Space is freed by the next 'jbuild prune'."
    })
public final class RmiCommand implements Callable<Integer> {
  @ParentCommand JbuildCommand root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-f", "--force"},
      description = "Remove an image ID even when several names use it.")
  boolean force;

  @Parameters(arity = "1..*", paramLabel = "IMAGE")
  List<String> images;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int exit = ExitCodes.OK;
    try (Store store = Store.open(root.storeRoot())) {
      ImageFinder finder = new ImageFinder(store);
      for (String arg : images) {
        try {
          Optional<Descriptor> byName = store.images().resolve(arg);
          if (byName.isPresent() && byName.get().refName() != null) {
            ImageFinder.Found f;
            try {
              f = finder.find(arg);
            } catch (UserException e) {
              if (e.exitCode() == ExitCodes.NOT_FOUND) {
                throw e;
              }
              f = null; // corrupt in the store: the name goes all the same (rmi is the way out)
            }
            store.images().untag(byName.get().refName());
            out.println("Untagged: " + ImageFinder.familiar(byName.get().refName()));
            Digest manifest = byName.get().digest();
            if (f != null
                && store.images().list().stream().noneMatch(d -> d.digest().equals(manifest))) {
              out.println("Deleted: " + f.id());
            }
            continue;
          }
          ImageFinder.Found f = finder.find(arg);
          if (f.tags().size() > 1 && !force) {
            throw new UserException(
                ExitCodes.FAILED,
                "conflict: unable to delete "
                    + f.id().shortHex()
                    + " (must be forced): image is referenced by "
                    + f.tags().size()
                    + " names");
          }
          store.images().remove(f.entry().digest());
          for (String t : f.tags()) {
            out.println("Untagged: " + ImageFinder.familiar(t));
          }
          out.println("Deleted: " + f.id());
        } catch (UserException e) {
          err.println("jbuild: " + e.getMessage());
          exit = exit == ExitCodes.OK ? e.exitCode() : exit;
        }
      }
    }
    out.flush();
    err.flush();
    return exit;
  }
}
