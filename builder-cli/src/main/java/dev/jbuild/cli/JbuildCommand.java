package dev.jbuild.cli;

import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The root command and its global options. Subcommands are registered by {@link Main} from {@link
 * #SUBCOMMANDS}: only the one being run (building every command's model by reflection costs a
 * quarter of a second of start-up), or all of them for help.
 */
@Command(
    name = "jbuild",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "Builds OCI images from Dockerfiles, daemonless.%n"
            + "  jbuild -f Dockerfile .   is short for   jbuild build -f Dockerfile .")
public final class JbuildCommand implements Runnable {
  /** Every subcommand, in the order help lists them. */
  static final java.util.List<String> SUBCOMMANDS =
      java.util.List.of(
          "build",
          "parse",
          "images",
          "inspect",
          "history",
          "tag",
          "rmi",
          "prune",
          "system",
          "run",
          "create",
          "start",
          "ps",
          "logs",
          "stop",
          "restart",
          "kill",
          "wait",
          "pause",
          "unpause",
          "rename",
          "exec",
          "cp",
          "top",
          "rm",
          "volume",
          "network",
          "port",
          "container",
          "pull",
          "push",
          "login",
          "logout",
          "save",
          "load",
          "manifest",
          "serve");

  /**
   * A new instance of subcommand {@code name}. A switch rather than a table of lambdas or
   * constructor references: only the command being run is loaded (a method reference is linked, and
   * its class loaded, when the table is built), and no lambda is spun at start-up.
   */
  static Object newSubcommand(String name) {
    return switch (name) {
      case "build" -> new BuildCommand();
      case "parse" -> new ParseCommand();
      case "images" -> new ImagesCommand();
      case "inspect" -> new InspectCommand();
      case "history" -> new HistoryCommand();
      case "tag" -> new TagCommand();
      case "rmi" -> new RmiCommand();
      case "prune" -> new PruneCommand();
      case "system" -> new SystemCommand();
      case "run" -> new RunCommand();
      case "create" -> new CreateCommand();
      case "start" -> new LifecycleCommands.Start();
      case "ps" -> new PsCommand();
      case "logs" -> new LogsCommand();
      case "stop" -> new StopCommand();
      case "restart" -> new LifecycleCommands.Restart();
      case "kill" -> new LifecycleCommands.Kill();
      case "wait" -> new LifecycleCommands.Wait();
      case "pause" -> new LifecycleCommands.Pause();
      case "unpause" -> new LifecycleCommands.Unpause();
      case "rename" -> new LifecycleCommands.Rename();
      case "exec" -> new ExecCommand();
      case "cp" -> new CpCommand();
      case "top" -> new LifecycleCommands.Top();
      case "container" -> new LifecycleCommands.Container();
      case "rm" -> new RmCommand();
      case "volume" -> new VolumeCommand();
      case "network" -> new NetworkCommand();
      case "port" -> new PortCommand();
      case "pull" -> new PullCommand();
      case "push" -> new PushCommand();
      case "login" -> new LoginCommand();
      case "logout" -> new LogoutCommand();
      case "save" -> new SaveCommand();
      case "load" -> new LoadCommand();
      case "manifest" -> new ManifestCommand();
      case "serve" -> new ServeCommand();
      default -> throw new IllegalArgumentException("no subcommand " + name);
    };
  }

  @Option(
      names = "--root",
      scope = ScopeType.INHERIT,
      paramLabel = "DIR",
      description =
          "Store location (default: $JBUILD_ROOT, else /var/lib/jbuild as root, "
              + "else $XDG_DATA_HOME/jbuild).")
  Path root;

  @Option(
      names = "--isolation",
      scope = ScopeType.INHERIT,
      paramLabel = "MODE",
      description =
          "How RUN steps and containers are isolated: auto (default, also $JBUILD_ISOLATION),"
              + " root, rootless or chroot.")
  String isolation;

  @Option(
      names = "--debug",
      scope = ScopeType.INHERIT,
      description = "Print the stack trace of an error (also JBUILD_DEBUG=1).")
  boolean debug;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  // A call the daemon runs for a client (jbuild --host): its own store, environment and standard
  // streams instead of this process's. Null in an ordinary (daemonless) run. JDK types only, so
  // that picocli's reflection over this class loads nothing more on the daemonless path.
  java.util.Map<String, String> callEnv;
  java.io.InputStream callIn;
  java.io.OutputStream callOut;
  java.io.OutputStream callErr;
  Path callRoot;

  /** The environment this invocation reads: the process's, or a daemon call's. */
  public java.util.Map<String, String> env() {
    return callEnv != null ? callEnv : System.getenv();
  }

  /** Standard input of this invocation (a daemon call's comes from its client). */
  public java.io.InputStream stdin() {
    return callIn != null ? callIn : System.in;
  }

  /** Standard output as bytes (archives, attached containers). */
  public java.io.OutputStream stdout() {
    return callOut != null ? callOut : System.out;
  }

  /** Standard error as bytes (attached containers). */
  public java.io.OutputStream stderr() {
    return callErr != null ? callErr : System.err;
  }

  /** Whether a daemon runs this invocation for a client. */
  public boolean isClientCall() {
    return callRoot != null;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** The root command of the command line that {@code spec} belongs to (for nested subcommands). */
  public static JbuildCommand of(picocli.CommandLine.Model.CommandSpec spec) {
    return (JbuildCommand) spec.root().userObject();
  }

  /**
   * The isolation mode of this invocation, chosen once ({@code --isolation}, else
   * $JBUILD_ISOLATION, else detected); a mode this process cannot provide is a clear error.
   */
  public dev.jbuild.runner.Isolation isolation() throws dev.jbuild.runner.RunnerException {
    String requested = isolation != null ? isolation : env().get("JBUILD_ISOLATION");
    try {
      return dev.jbuild.runner.Isolation.select(requested);
    } catch (dev.jbuild.runner.RunnerException e) {
      // an unknown mode is a usage error (Isolation gives it exit code 2)
      if (e.exitCode() == ExitCodes.USAGE) {
        throw new UserException(ExitCodes.USAGE, e.getMessage(), e);
      }
      throw e;
    }
  }

  /**
   * The store root this invocation uses. Every command that uses the store asks for it first, so
   * the isolation mode is chosen (and a mode this process cannot provide refused) here.
   */
  public Path storeRoot() throws dev.jbuild.runner.RunnerException {
    isolation();
    if (callRoot != null) {
      return callRoot;
    }
    return StoreRoot.resolve(root, System.getenv());
  }
}
