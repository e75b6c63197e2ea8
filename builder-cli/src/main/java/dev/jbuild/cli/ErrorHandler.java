package dev.jbuild.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Prints errors a person can act on as one line ("jbuild: ..."); unexpected exceptions get their
 * stack trace only with JBUILD_DEBUG=1.
 */
final class ErrorHandler implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception ex, CommandLine cli, ParseResult parseResult) {
    var err = cli.getErr();
    String msg = ex.getMessage() == null ? ex.getClass().getName() : ex.getMessage();
    err.println(msg.startsWith("jbuild") ? msg : "jbuild: " + msg);
    if (!(ex instanceof UserException) && "1".equals(System.getenv("JBUILD_DEBUG"))) {
      ex.printStackTrace(err);
    }
    err.flush();
    return cli.getExitCodeExceptionMapper() != null
        ? cli.getExitCodeExceptionMapper().getExitCode(ex)
        : ExitCodes.FAILED;
  }
}
