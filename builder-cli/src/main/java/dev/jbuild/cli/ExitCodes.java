package dev.jbuild.cli;

/**
 * Exit codes, one per kind of failure, so scripts can tell them apart.
 *
 * <ul>
 *   <li>0 success
 *   <li>1 the build or command failed (a RUN step exited non-zero, an I/O error)
 *   <li>2 usage error (unknown option, bad argument)
 *   <li>3 the Dockerfile is invalid (file:line:col in the message)
 *   <li>4 a referenced image, tag, stage or file does not exist
 *   <li>5 registry error (authentication, connection, digest mismatch)
 * </ul>
 */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int DOCKERFILE = 3;
  public static final int NOT_FOUND = 4;
  public static final int REGISTRY = 5;

  private ExitCodes() {}

  static int forException(Throwable t) {
    if (t instanceof UserException u) {
      return u.exitCode();
    }
    if (t instanceof picocli.CommandLine.ParameterException) {
      return USAGE;
    }
    return FAILED;
  }
}
