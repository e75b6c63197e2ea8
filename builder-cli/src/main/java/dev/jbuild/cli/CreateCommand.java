package dev.jbuild.cli;

import picocli.CommandLine.Command;

/**
 * {@code jbuild create}: {@code jbuild run}'s options, but the container is only made (its root
 * filesystem, bundle and record); {@code jbuild start} starts it. Prints its ID.
 */
@Command(
    name = "create",
    modelTransformer = RunCommand.StopAtImage.class,
    description = {
      "Create a container from an image in the store without starting it (see jbuild start).",
      "Takes the options of jbuild run; prints the container's ID."
    })
public final class CreateCommand extends RunCommand {
  @Override
  boolean createOnly() {
    return true;
  }
}
