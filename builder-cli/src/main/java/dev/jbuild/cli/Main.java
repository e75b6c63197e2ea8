package dev.jbuild.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;

/** Entry point of the {@code jbuild} launcher. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    RunCommand.useProcessStdio();
    System.exit(run(args));
  }

  /** Runs jbuild with the given arguments and returns the exit code (used by tests too). */
  public static int run(String... args) {
    return commandLine().execute(withImplicitBuild(args));
  }

  /** The configured picocli command line; tests set their own out/err writers on it. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new JbuildCommand());
    cli.setExitCodeExceptionMapper(ExitCodes::forException);
    cli.setExecutionExceptionHandler(new ErrorHandler());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    return cli;
  }

  private static final Set<String> ROOT_FLAGS = Set.of("-h", "--help", "-V", "--version");

  /**
   * {@code jbuild -f Dockerfile .} means {@code jbuild build -f Dockerfile .}: when the first word
   * after the global options is not a subcommand, "build" is inserted there.
   */
  public static String[] withImplicitBuild(String[] args) {
    Set<String> subcommands = new CommandLine(new JbuildCommand()).getSubcommands().keySet();
    int i = 0;
    while (i < args.length) {
      String a = args[i];
      if (a.equals("--root")) {
        i += 2;
      } else if (a.startsWith("--root=")) {
        i += 1;
      } else {
        break;
      }
    }
    if (i >= args.length || subcommands.contains(args[i]) || ROOT_FLAGS.contains(args[i])) {
      return args;
    }
    List<String> out = new ArrayList<>(List.of(args).subList(0, i));
    out.add("build");
    out.addAll(List.of(args).subList(i, args.length));
    return out.toArray(String[]::new);
  }
}
