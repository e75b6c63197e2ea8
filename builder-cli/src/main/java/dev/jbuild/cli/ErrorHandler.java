package dev.jbuild.cli;

import java.io.PrintWriter;
import java.util.concurrent.CompletionException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns any failure into one line on stderr ("jbuild: ...") and its exit code: errors a person can
 * act on ({@link UserException}) with their own code, anything else (an unexpected exception, an
 * OutOfMemoryError, a StackOverflowError) as exit 1 with what happened. The stack trace is printed
 * only with {@code --debug} or {@code JBUILD_DEBUG=1}. {@link Main#execute} routes errors that
 * picocli lets through (an {@link Error} thrown by a command) here too.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception ex, CommandLine cli, ParseResult parseResult) {
    return report(ex, cli);
  }

  /** Prints {@code t} as one line (and its trace when debugging); returns the exit code. */
  static int report(Throwable t, CommandLine cli) {
    Main.releaseReserve(); // an OutOfMemoryError must still be able to print
    Throwable cause = unwrap(t);
    PrintWriter err = cli.getErr();
    err.println(line(cause));
    if (debug(cli)) {
      t.printStackTrace(err);
    }
    err.flush();
    if (cause instanceof Error) {
      return ExitCodes.FAILED;
    }
    return cli.getExitCodeExceptionMapper() != null
        ? cli.getExitCodeExceptionMapper().getExitCode(cause)
        : ExitCodes.forException(cause);
  }

  /** The failure a wrapper (picocli's, a future's, a completion's) carries. */
  static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CommandLine.ExecutionException
            || c instanceof java.util.concurrent.ExecutionException
            || c instanceof CompletionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    // a UserException or an Error deeper in the chain says best what happened
    for (Throwable d = c; d != null; d = d.getCause()) {
      if (d instanceof UserException || d instanceof VirtualMachineError) {
        return d;
      }
      if (d.getCause() == d) {
        break;
      }
    }
    return c;
  }

  /** The one line shown for {@code t}. */
  static String line(Throwable t) {
    String msg;
    if (t instanceof OutOfMemoryError) {
      msg =
          "out of memory ("
              + t.getMessage()
              + "): the input is too large for this JVM's heap (JBUILD_JAVA_OPTS=-Xmx...)";
    } else if (t instanceof StackOverflowError) {
      msg = "internal error: stack overflow (input nested too deeply)";
    } else if (t instanceof UserException || t instanceof java.io.IOException) {
      msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    } else if (t.getMessage() == null) {
      msg = "internal error: " + t.getClass().getName();
    } else {
      msg = t.getMessage();
    }
    if (!(t instanceof UserException)) {
      // one line: a UserException may span lines on purpose (a failed step and its output)
      int nl = msg.indexOf('\n');
      msg = nl < 0 ? msg : msg.substring(0, nl);
    }
    String out = msg.startsWith("jbuild") ? msg : "jbuild: " + msg;
    if (!(t instanceof UserException) && !(t instanceof java.io.IOException)) {
      out += " (--debug prints the stack trace)";
    }
    return out;
  }

  /** {@code --debug} on the command line, or {@code JBUILD_DEBUG=1}. */
  static boolean debug(CommandLine cli) {
    if ("1".equals(System.getenv("JBUILD_DEBUG"))) {
      return true;
    }
    Object root = cli.getCommandSpec().root().userObject();
    return root instanceof JbuildCommand j && j.debug;
  }
}
