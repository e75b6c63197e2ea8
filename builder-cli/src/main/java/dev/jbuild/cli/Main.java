package dev.jbuild.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;

/** Entry point of the {@code jbuild} launcher. */
public final class Main {
  private Main() {}

  /** Heap set aside so that an OutOfMemoryError can still be reported: freed before printing. */
  private static volatile byte[] reserve = new byte[1 << 20];

  static void releaseReserve() {
    reserve = null;
  }

  public static void main(String[] args) {
    dev.jbuild.builder.progress.Trace.mark("main");
    // a class, not a method reference: no lambda is spun before the command runs
    Thread.setDefaultUncaughtExceptionHandler(new Uncaught());
    useProcessStdio();
    dev.jbuild.builder.progress.Trace.mark("stdio");
    int code = run(args);
    if (printedOnly) {
      // --version and help printed a text and did nothing else: no shutdown hook to run, and
      // System.exit would set up the JDK's logging (it logs Runtime.exit since JDK 21: a service
      // lookup over the whole jar) only to find nothing configured
      System.out.flush();
      System.err.flush();
      Runtime.getRuntime().halt(code);
    }
    System.exit(code);
  }

  /** Set when the command only printed a stored text (version, help). */
  private static volatile boolean printedOnly;

  private static volatile boolean processStdio;

  /**
   * Makes attached containers ({@code jbuild run}) write straight to this process's stdout and
   * stderr (bytes exact) instead of through picocli's writers. {@code main} calls it; tests that
   * capture output with {@code setOut/setErr} do not. (The flag lives here, not in RunCommand, so
   * that a command other than run never loads RunCommand.)
   */
  public static void useProcessStdio() {
    processStdio = true;
  }

  static boolean processStdio() {
    return processStdio;
  }

  /**
   * Runs jbuild with the given arguments and returns the exit code (used by tests too): here, or on
   * a daemon when {@code --host}/{@code -H} or JBUILD_HOST names one (client mode).
   */
  public static int run(String... args) {
    if (clientMode(args)) {
      // loaded only in client mode: the daemonless path loads none of it
      return ClientMode.run(args);
    }
    return runHere(args);
  }

  /** Runs jbuild in this process (no --host option in {@code args}). */
  static int runHere(String... args) {
    String[] full = withImplicitBuild(args);
    String sub = subcommandOf(full);
    dev.jbuild.builder.progress.Trace.mark("args");
    if (sub == null && isVersion(full)) {
      // --version needs no command model: picocli's (annotation proxies spun at run time,
      // reflection over the commands) was most of its time; the text is the version provider's
      printedOnly = true;
      return printVersion();
    }
    String page = helpPageOf(full, sub);
    if (page != null && HelpPages.print(page)) {
      printedOnly = true;
      // the usage text was rendered by picocli at build time (HelpPages): no command model here
      return ExitCodes.OK;
    }
    if ("build".equals(sub) && System.getenv("JBUILD_NO_WARMUP") == null) {
      Warmup.start();
    }
    CommandLine cli;
    if (sub == null) {
      cli = commandLine();
    } else {
      cli = new CommandLine(new JbuildCommand());
      dev.jbuild.builder.progress.Trace.mark("root command line");
      cli.addSubcommand(sub, JbuildCommand.newSubcommand(sub));
      configure(cli);
    }
    dev.jbuild.builder.progress.Trace.mark("command line ready");
    return execute(cli, full);
  }

  /**
   * {@code cli.execute(args)}, with what picocli lets through (an {@link Error} thrown by a
   * command, a failure of the error handler itself) reported as one line too. Tests call this.
   */
  public static int execute(CommandLine cli, String... args) {
    try {
      return cli.execute(args);
    } catch (Throwable t) {
      return ErrorHandler.report(t, cli);
    }
  }

  /** A background thread that dies reports one line (its trace only with JBUILD_DEBUG=1). */
  private static final class Uncaught implements Thread.UncaughtExceptionHandler {
    @Override
    public void uncaughtException(Thread thread, Throwable t) {
      uncaught(thread, t);
    }
  }

  private static void uncaught(Thread thread, Throwable t) {
    releaseReserve();
    System.err.println(
        ErrorHandler.line(ErrorHandler.unwrap(t)) + " [thread " + thread.getName() + "]");
    if ("1".equals(System.getenv("JBUILD_DEBUG"))) {
      t.printStackTrace();
    }
  }

  /**
   * The configured picocli command line with every subcommand; tests set their own out/err writers
   * on it.
   */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new JbuildCommand());
    for (String name : JbuildCommand.SUBCOMMANDS) {
      cli.addSubcommand(name, JbuildCommand.newSubcommand(name));
    }
    return configure(cli);
  }

  /** Settings picocli copies to the subcommands registered so far: call after adding them. */
  static CommandLine configure(CommandLine cli) {
    cli.setExitCodeExceptionMapper(ExitCodes::forException);
    cli.setExecutionExceptionHandler(new ErrorHandler());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    // addSubcommand gives a subcommand its parent's parser settings: restore run's own (and
    // create's, exec's: options after the image or container are the command's)
    for (String name : List.of("run", "create", "exec")) {
      CommandLine run = cli.getSubcommands().get(name);
      if (run != null) {
        run.getCommandSpec().parser().stopAtPositional(true);
      }
    }
    return cli;
  }

  private static final Set<String> ROOT_FLAGS = Set.of("-h", "--help", "-V", "--version");

  /**
   * {@code jbuild -f Dockerfile .} means {@code jbuild build -f Dockerfile .}: when the first word
   * after the global options is not a subcommand, "build" is inserted there.
   */
  public static String[] withImplicitBuild(String[] args) {
    List<String> subcommands = JbuildCommand.SUBCOMMANDS;
    int i = afterGlobalOptions(args);
    if (i >= args.length || subcommands.contains(args[i]) || ROOT_FLAGS.contains(args[i])) {
      return args;
    }
    List<String> out = new ArrayList<>(List.of(args).subList(0, i));
    out.add("build");
    out.addAll(List.of(args).subList(i, args.length));
    return out.toArray(String[]::new);
  }

  private static int printVersion() {
    try {
      for (String line : new VersionProvider().getVersion()) {
        System.out.println(line);
      }
      System.out.flush();
      return ExitCodes.OK;
    } catch (java.io.IOException e) {
      System.err.println("jbuild: cannot read the version: " + e.getMessage());
      return ExitCodes.FAILED;
    }
  }

  /** True when {@code args} asks for the version (and nothing else decides first). */
  static boolean isVersion(String[] args) {
    int i = afterGlobalOptions(args);
    return i < args.length && (args[i].equals("-V") || args[i].equals("--version"));
  }

  /**
   * The help page {@code args} asks for and nothing else: the root's for {@code jbuild}, {@code
   * jbuild -h} or {@code --help}, a subcommand's for {@code jbuild SUB --help}; else null.
   */
  static String helpPageOf(String[] args, String sub) {
    int i = afterGlobalOptions(args);
    int left = args.length - i;
    if (sub == null) {
      return left == 0 || (left == 1 && isHelpFlag(args[i])) ? HelpPages.ROOT : null;
    }
    // a subcommand's -h is not always help (run -h is --hostname, as in docker run)
    return left == 2 && args[i + 1].equals("--help") ? sub : null;
  }

  private static boolean isHelpFlag(String arg) {
    return arg.equals("-h") || arg.equals("--help");
  }

  /** The subcommand {@code args} runs, or null (help, version, nothing). */
  static String subcommandOf(String[] args) {
    int i = afterGlobalOptions(args);
    return i < args.length && JbuildCommand.SUBCOMMANDS.contains(args[i]) ? args[i] : null;
  }

  /**
   * Whether {@code args} runs on a daemon: a client option among the global options, or a non-empty
   * JBUILD_HOST. Cheap: a scan of the global options and one variable.
   */
  static boolean clientMode(String[] args) {
    int end = afterGlobalOptions(args);
    if (end < args.length && args[end].equals("serve")) {
      return false; // the daemon itself (its -H is where it listens)
    }
    for (int i = 0; i < end; i++) {
      if (isClientOption(args[i])) {
        return true;
      }
    }
    String env = System.getenv("JBUILD_HOST");
    return env != null && !env.isEmpty();
  }

  private static final String[] CLIENT_OPTIONS = {
    "-H", "--host", "--tlsverify", "--tlscacert", "--tlscert", "--tlskey"
  };

  /** The client mode's global options: docker's -H/--host and TLS flags. */
  static boolean isClientOption(String a) {
    for (String name : CLIENT_OPTIONS) {
      if (a.equals(name) || (a.startsWith(name) && a.charAt(name.length()) == '=')) {
        return true;
      }
    }
    return false;
  }

  /** Client options that take a value as the next argument (unless written NAME=VALUE). */
  static boolean clientOptionTakesValue(String a) {
    return a.equals("-H")
        || a.equals("--host")
        || a.equals("--tlscacert")
        || a.equals("--tlscert")
        || a.equals("--tlskey");
  }

  static int afterGlobalOptions(String[] args) {
    int i = 0;
    while (i < args.length) {
      String a = args[i];
      if (a.equals("--root") || a.equals("--isolation") || clientOptionTakesValue(a)) {
        i += 2;
      } else if (a.startsWith("--root=")
          || a.startsWith("--isolation=")
          || a.equals("--debug")
          || (a.startsWith("-") && isClientOption(a))) {
        i += 1;
      } else {
        break;
      }
    }
    return i;
  }
}
