package dev.jbuild.runner;

import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.UserNamespace;
import java.util.Locale;

/**
 * How RUN steps and containers are isolated, chosen once per process ({@code --isolation} or {@code
 * JBUILD_ISOLATION}; {@code auto} picks from what the process may do). See the README, "Isolation".
 */
public enum Isolation {
  /** runc over overlayfs, as root with CAP_SYS_ADMIN. */
  ROOT("root", "runc over overlayfs"),
  /** runc over overlayfs ({@code userxattr}) inside jbuild's user namespace (the launcher's). */
  ROOTLESS("rootless", "runc over overlayfs in a user namespace"),
  /** A copied root filesystem and chroot: root without CAP_SYS_ADMIN or user namespaces. */
  CHROOT("chroot", "chroot into a copied root filesystem, no namespaces");

  private static volatile Isolation selected;

  private final String option;
  private final String description;

  Isolation(String option, String description) {
    this.option = option;
    this.description = description;
  }

  /** The option value: root, rootless or chroot. */
  public String option() {
    return option;
  }

  /** One line for {@code system info} and the progress output. */
  public String description() {
    return description;
  }

  /**
   * The mode of this process: the one {@link #select} chose, else the one {@code JBUILD_ISOLATION}
   * names, else detected.
   */
  public static Isolation current() throws RunnerException {
    Isolation s = selected;
    if (s == null) {
      s = select(System.getenv("JBUILD_ISOLATION"));
    }
    return s;
  }

  /**
   * Chooses the mode for this process: {@code auto} (or null) detects it; a forced mode that this
   * process cannot provide is a clear error.
   */
  public static synchronized Isolation select(String requested) throws RunnerException {
    String r = requested == null || requested.isBlank() ? "auto" : requested.trim();
    Isolation mode =
        switch (r.toLowerCase(Locale.ROOT)) {
          case "auto" -> detect();
          case "root" -> {
            if (!UserNamespace.current().isInitial() || Posix.geteuid() != 0 || !hasSysAdmin()) {
              throw unavailable(
                  "root", "it needs root with CAP_SYS_ADMIN outside a user namespace");
            }
            yield ROOT;
          }
          case "rootless" -> {
            if (UserNamespace.current().isInitial()) {
              throw unavailable(
                  "rootless",
                  "jbuild is not inside its user namespace; the jbuild launcher enters it (is"
                      + " 'unshare --user' allowed here?)");
            }
            yield ROOTLESS;
          }
          case "chroot" -> {
            if (Posix.geteuid() != 0) {
              throw unavailable("chroot", "it needs root (CAP_SYS_CHROOT)");
            }
            yield CHROOT;
          }
          default ->
              throw new RunnerException(
                  "unknown isolation \"" + r + "\" (use auto, root, rootless or chroot)", 2);
        };
    selected = mode;
    return mode;
  }

  private static Isolation detect() throws RunnerException {
    if (!UserNamespace.current().isInitial()) {
      return ROOTLESS;
    }
    if (Posix.geteuid() != 0) {
      throw new RunnerException(
          "jbuild runs as an ordinary user only inside its user namespace, which the jbuild"
              + " launcher enters: start jbuild with it (or give this user ranges in /etc/subuid"
              + " and /etc/subgid if it failed)",
          RunnerErrors.CANNOT_CREATE);
    }
    return hasSysAdmin() ? ROOT : CHROOT;
  }

  private static RunnerException unavailable(String mode, String why) {
    return new RunnerException(
        "--isolation " + mode + " is not possible here: " + why, RunnerErrors.CANNOT_CREATE);
  }

  /** Whether the effective capability set has CAP_SYS_ADMIN. */
  static boolean hasSysAdmin() {
    return UserNamespace.hasSysAdmin();
  }
}
