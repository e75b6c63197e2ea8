package dev.jbuild.runner.spec;

import dev.jbuild.runner.RunSettings;
import dev.jbuild.runner.SeccompProfile;
import dev.jbuild.runner.user.ResolvedUser;
import java.util.List;

/**
 * What varies between runs in an OCI runtime spec; {@link SpecWriter} adds Docker's fixed defaults
 * (capabilities, masked and read-only paths, proc/dev/devpts/shm/mqueue/sysfs mounts).
 *
 * @param rootfs the root filesystem, relative to the bundle or absolute
 * @param mounts mounts added after the defaults (a mount on a default's destination replaces it)
 * @param nofile the RLIMIT_NOFILE to set (soft = hard), or -1 to inherit the runtime's
 * @param hostNetwork whether the process stays in the host's network namespace
 * @param netnsPath the network namespace to join (a bind-mounted nsfs file), or null for a new one
 *     (loopback only); ignored with {@code hostNetwork}
 * @param cgroupsPath the cgroup path runc creates (null: the runtime's default)
 * @param seccomp the seccomp profile, translated for Docker's capability set
 * @param settings insecure mode, rlimits (a RLIMIT_NOFILE there wins over {@code nofile}) and the
 *     /dev/shm size ({@link SpecWriter} applies them)
 */
public record RuntimeSpec(
    List<String> args,
    List<String> env,
    String cwd,
    ResolvedUser user,
    boolean terminal,
    String hostname,
    String rootfs,
    boolean hostNetwork,
    String netnsPath,
    List<SpecMount> mounts,
    long nofile,
    String cgroupsPath,
    SeccompProfile seccomp,
    RunSettings settings) {
  public RuntimeSpec {
    settings = settings == null ? RunSettings.DEFAULT : settings;
    args = List.copyOf(args);
    env = List.copyOf(env);
    mounts = List.copyOf(mounts);
    seccomp = seccomp == null ? SeccompProfile.dockerDefault() : seccomp;
    if (args.isEmpty()) {
      throw new IllegalArgumentException("no command to run");
    }
    if (!cwd.startsWith("/")) {
      throw new IllegalArgumentException("working directory must be absolute: " + cwd);
    }
  }

  /** A spec with the default {@link RunSettings}. */
  public RuntimeSpec(
      List<String> args,
      List<String> env,
      String cwd,
      ResolvedUser user,
      boolean terminal,
      String hostname,
      String rootfs,
      boolean hostNetwork,
      String netnsPath,
      List<SpecMount> mounts,
      long nofile,
      String cgroupsPath,
      SeccompProfile seccomp) {
    this(
        args,
        env,
        cwd,
        user,
        terminal,
        hostname,
        rootfs,
        hostNetwork,
        netnsPath,
        mounts,
        nofile,
        cgroupsPath,
        seccomp,
        null);
  }
}
