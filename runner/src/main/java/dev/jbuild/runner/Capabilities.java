package dev.jbuild.runner;

import java.util.List;

/** The capabilities the runner grants. */
public final class Capabilities {
  private Capabilities() {}

  /**
   * Docker's default capability set (moby oci/caps/defaults.go): what a RUN step or a {@code jbuild
   * run} container running as root gets.
   */
  public static final List<String> DOCKER_DEFAULT =
      List.of(
          "CAP_CHOWN",
          "CAP_DAC_OVERRIDE",
          "CAP_FSETID",
          "CAP_FOWNER",
          "CAP_MKNOD",
          "CAP_NET_RAW",
          "CAP_SETGID",
          "CAP_SETUID",
          "CAP_SETFCAP",
          "CAP_SETPCAP",
          "CAP_NET_BIND_SERVICE",
          "CAP_SYS_CHROOT",
          "CAP_KILL",
          "CAP_AUDIT_WRITE");
}
