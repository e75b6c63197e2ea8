package dev.jbuild.runner.sys;

import dev.jbuild.layercache.fs.Native;
import java.io.IOException;

/** A failed system call: the call, its subject (usually a path) and errno with its text. */
public final class SyscallException extends IOException {
  private static final long serialVersionUID = 1L;
  private final int errno;

  public SyscallException(String call, String subject, int errno, String detail) {
    super(
        call
            + (subject == null ? "" : " " + subject)
            + ": "
            + Native.strerror(errno)
            + (detail == null || detail.isBlank() ? "" : " (" + detail.strip() + ")"));
    this.errno = errno;
  }

  public int errno() {
    return errno;
  }
}
