package dev.jbuild.runner;

import java.nio.file.Path;

/** Every error message of the runner, in one place so tests assert the same text. */
public final class RunnerErrors {
  public static final int CANNOT_CREATE = 125;
  public static final int CANNOT_EXECUTE = 126;
  public static final int NOT_FOUND = 127;

  private RunnerErrors() {}

  public static RunnerException userNotFound(String user) {
    return new RunnerException(
        "unable to find user " + user + ": no matching entries in passwd file", CANNOT_CREATE);
  }

  public static RunnerException groupNotFound(String group) {
    return new RunnerException(
        "unable to find group " + group + ": no matching entries in group file", CANNOT_CREATE);
  }

  public static RunnerException badUser(String spec, String why) {
    return new RunnerException("invalid user " + quote(spec) + ": " + why, CANNOT_CREATE);
  }

  public static RunnerException runtimeNotFound(Path runtime) {
    return new RunnerException(
        "OCI runtime " + runtime + " not found (install runc, or pass --runtime PATH)",
        CANNOT_CREATE);
  }

  public static RunnerException runtimeFailed(Path runtime, String message) {
    return new RunnerException(
        "OCI runtime " + runtime + " cannot run containers here: " + message, CANNOT_CREATE);
  }

  public static RunnerException startFailed(Path runtime, String message, int exitCode) {
    return new RunnerException(runtime.getFileName() + ": " + message, exitCode);
  }

  /**
   * The image's /etc/passwd or /etc/group is not a regular file or too large: jbuild never opens
   * it, and the runtime (which reads it too, in the container) would hang on a fifo.
   */
  public static RunnerException badUserDatabase(String problem) {
    return new RunnerException("cannot run a container of this image: " + problem, CANNOT_CREATE);
  }

  public static RunnerException workdirNotDirectory(String workdir) {
    return new RunnerException(
        "working directory " + quote(workdir) + " exists in the image and is not a directory",
        CANNOT_CREATE);
  }

  /** {@code jbuild cp} refused or failed; exit code 1, as docker cp. */
  public static RunnerException copyFailed(String message) {
    return new RunnerException(message, 1);
  }

  /** {@code jbuild cp}: the path does not exist in the container. */
  public static RunnerException noSuchContainerPath(String container, String path) {
    return new RunnerException("No such container:path: " + container + ":" + path, 1);
  }

  /** The daemon's container archives: the path does not exist in the container (docker's words). */
  public static RunnerException noSuchArchivePath(String path) {
    return new RunnerException("Could not find the file " + path + " in container", CANNOT_CREATE);
  }

  public static RunnerException mountFailed(String what, Throwable cause) {
    return new RunnerException(what + ": " + cause.getMessage(), CANNOT_CREATE, cause);
  }

  /** No volume of that name. */
  public static RunnerException volumeNotFound(String name) {
    return new RunnerException("no such volume: " + name, CANNOT_CREATE);
  }

  public static RunnerException volumeInUse(String name, java.util.Collection<String> containers) {
    return new RunnerException(
        "remove "
            + name
            + ": volume is in use - ["
            + String.join(", ", containers)
            + "]: remove the container first (jbuild rm)",
        CANNOT_CREATE);
  }

  public static RunnerException invalidVolumeName(String name) {
    return new RunnerException(
        "invalid volume name "
            + quote(name)
            + ": only [a-zA-Z0-9][a-zA-Z0-9_.-] allowed, at least 2 characters",
        CANNOT_CREATE);
  }

  /** A chroot-mode step that could not be set up or started. */
  public static RunnerException chrootFailed(String message) {
    return new RunnerException("chroot isolation: " + message, CANNOT_CREATE);
  }

  /** The chroot helper could not exec the command (126 not executable, 127 not found). */
  public static RunnerException chrootExecFailed(String message, int exitCode) {
    return new RunnerException(message, exitCode);
  }

  /** What chroot isolation cannot do (no namespaces, no mounts). */
  public static RunnerException chrootUnsupported(String what) {
    return new RunnerException(
        what
            + " is not possible with chroot isolation (no namespaces: jbuild runs without"
            + " CAP_SYS_ADMIN here)",
        CANNOT_CREATE);
  }

  static String quote(String s) {
    return "\"" + s + "\"";
  }
}
