package dev.jbuild.runner.sys;

/** The errno values the runner reacts to (Linux, all architectures it runs on). */
public final class Errno {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int ESRCH = 3;
  public static final int EINVAL = 22;
  public static final int EBUSY = 16;
  public static final int ENOSYS = 38;

  private Errno() {}
}
