package dev.jbuild.cli;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.store.StoreLock;
import dev.jbuild.runner.RunRequest;
import dev.jbuild.runner.Trees;
import dev.jbuild.runner.container.ContainerState;
import dev.jbuild.runner.container.Containers;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jbuild system reset}: empties the store (images, layers, build cache, containers), as
 * {@code podman system reset}. It runs where jbuild runs: in rootless mode inside jbuild's user
 * namespace, so files that RUN steps gave other owners (subordinate ids on the host, which the user
 * cannot delete with rm) go too, without root.
 */
@Command(
    name = "reset",
    mixinStandardHelpOptions = true,
    description = "Remove every image, layer, cache entry and container of the store.")
public final class SystemReset implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-f", "--force"},
      description = "Do not ask for confirmation (needed when stdin is not a terminal).")
  boolean force;

  @Override
  public Integer call() throws Exception {
    JbuildCommand root = JbuildCommand.of(spec);
    root.isolation();
    Path dir = root.storeRoot();
    PrintWriter out = spec.commandLine().getOut();
    if (!Files.isDirectory(dir)) {
      out.println("nothing to reset: " + dir + " does not exist");
      out.flush();
      return ExitCodes.OK;
    }
    if (!force) {
      java.io.Console console = System.console();
      if (console == null) {
        throw new UserException(
            ExitCodes.USAGE,
            "jbuild system reset removes everything in " + dir + ": pass -f to confirm");
      }
      String answer =
          console.readLine(
              "Remove every image, layer, cache entry and container in %s? [y/N] ", dir);
      if (answer == null || !answer.trim().equalsIgnoreCase("y")) {
        return ExitCodes.FAILED;
      }
    }
    try (Store store = Store.open(dir)) {
      Optional<StoreLock> lock = store.tryLockExclusive(java.time.Duration.ofSeconds(10));
      if (lock.isEmpty()) {
        throw new UserException(
            ExitCodes.FAILED, "the store " + dir + " is in use (a build runs): try again later");
      }
      try (StoreLock _ = lock.get()) {
        Containers containers = Containers.open(store, RunRequest.DEFAULT_RUNTIME);
        for (ContainerState c : containers.list()) {
          if (c.isRunning()) {
            throw new UserException(
                ExitCodes.FAILED,
                "container "
                    + c.record().name()
                    + " is running: stop it first (jbuild stop "
                    + c.record().name()
                    + ")");
          }
        }
        Trees.unmountAll(dir);
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
          ds.forEach(entries::add);
        }
        for (Path e : entries) {
          String name = e.getFileName().toString();
          if (!name.equals("lock") && !name.endsWith(".lock")) {
            Trees.delete(e);
          }
        }
      }
    }
    out.println("removed everything in " + dir);
    out.flush();
    return ExitCodes.OK;
  }
}
