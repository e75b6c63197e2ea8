package dev.jbuild.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The root command: global options and the list of subcommands. */
@Command(
    name = "jbuild",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "Builds OCI images from Dockerfiles, daemonless.%n"
            + "  jbuild -f Dockerfile .   is short for   jbuild build -f Dockerfile .",
    subcommands = {
      BuildCommand.class,
      ParseCommand.class,
      ImagesCommand.class,
      InspectCommand.class,
      HistoryCommand.class,
      TagCommand.class,
      RmiCommand.class,
      PruneCommand.class,
      SystemCommand.class,
      RunCommand.class,
      PsCommand.class,
      StopCommand.class,
      RmCommand.class,
      PullCommand.class,
      PushCommand.class,
      LoginCommand.class,
      LogoutCommand.class,
      SaveCommand.class,
      LoadCommand.class
    })
public final class JbuildCommand implements Runnable {

  @Option(
      names = "--root",
      scope = ScopeType.INHERIT,
      paramLabel = "DIR",
      description =
          "Store location (default: $JBUILD_ROOT, else /var/lib/jbuild as root, "
              + "else $XDG_DATA_HOME/jbuild).")
  Path root;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The root command of the command line that {@code spec} belongs to (for nested subcommands). */
  public static JbuildCommand of(picocli.CommandLine.Model.CommandSpec spec) {
    return (JbuildCommand) spec.root().userObject();
  }

  /** The store root this invocation uses. */
  public Path storeRoot() {
    return StoreRoot.resolve(root, System.getenv());
  }
}
