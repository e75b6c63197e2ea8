package dev.jbuild.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code jbuild rm}: removes containers (their files, mounts and state). */
@Command(
    name = "rm",
    mixinStandardHelpOptions = true,
    description = "Remove containers (-f: running ones too, killed first).")
public final class RmCommand implements Callable<Integer> {
  @ParentCommand JbuildCommand root;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-f", "--force"},
      description = "Kill and remove running containers.")
  boolean force;

  @Option(
      names = {"-v", "--volumes"},
      description = "Also remove the container's anonymous volumes (named ones stay).")
  boolean volumes;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container IDs or names.")
  List<String> containers;

  @Override
  public Integer call() throws Exception {
    return EachContainer.apply(
        root, spec, containers, (all, name) -> all.remove(name, force, volumes));
  }
}
