package dev.jbuild.serve;

import dev.jbuild.cli.UserException;

/** Docker's status codes for the errors of jbuild's commands (their exit codes). */
final class ApiErrors {
  private ApiErrors() {}

  /** Exit codes of {@code dev.jbuild.cli.ExitCodes}: 2 usage, 3 Dockerfile, 4 not found. */
  static int status(UserException e) {
    String m = e.getMessage() == null ? "" : e.getMessage();
    if (m.startsWith("conflict:")) {
      return 409;
    }
    return switch (e.exitCode()) {
      case 2, 3 -> 400;
      case 4 -> 404;
      default -> 500;
    };
  }
}
