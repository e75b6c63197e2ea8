package dev.jbuild.layercache.fs;

import java.io.IOException;

/**
 * A failed system call: the call's name, the path (or other operand) it was given, and errno with
 * its text, e.g. {@code lsetxattr /x/y: Operation not supported (errno 95)}.
 */
public final class PosixException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String call;
  private final String operand;
  private final int errno;

  public PosixException(String call, String operand, int errno) {
    super(call + " " + operand + ": " + Native.strerror(errno) + " (errno " + errno + ")");
    this.call = call;
    this.operand = operand;
    this.errno = errno;
  }

  /** The same failure with a message of its own (one that says how to fix it). */
  public PosixException(String call, String operand, int errno, String message) {
    super(message);
    this.call = call;
    this.operand = operand;
    this.errno = errno;
  }

  public String call() {
    return call;
  }

  public String operand() {
    return operand;
  }

  public int errno() {
    return errno;
  }
}
