package dev.jbuild.runner.exec;

import dev.jbuild.runner.Network;
import dev.jbuild.runner.RunMount;
import dev.jbuild.runner.RunRequest;
import dev.jbuild.runner.RunSettings;
import dev.jbuild.runner.SeccompProfile;
import java.util.List;

/**
 * The process a sandbox runs and its surroundings.
 *
 * @param argv the command, already through SHELL for the shell form
 * @param env {@code K=V} entries; PATH and HOME are added when missing
 * @param user as USER says ("" = root)
 * @param workdir absolute; created (owned by the user, mode 0755) when missing
 * @param network PRIVATE (the default), HOST or NONE
 * @param terminal whether the runtime allocates a pseudo-terminal
 * @param seccomp the seccomp profile (null: Docker's default)
 * @param settings the build's sandbox settings (null: the defaults)
 */
public record ProcessSpec(
    List<String> argv,
    List<String> env,
    String user,
    String workdir,
    String hostname,
    Network network,
    List<RunMount> mounts,
    boolean terminal,
    SeccompProfile seccomp,
    RunSettings settings) {
  public ProcessSpec {
    argv = List.copyOf(argv);
    env = List.copyOf(env);
    mounts = List.copyOf(mounts);
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("no command to run");
    }
    user = user == null ? "" : user;
    workdir = workdir(workdir);
    hostname = hostname == null || hostname.isEmpty() ? RunRequest.DEFAULT_HOSTNAME : hostname;
    network = network == null ? Network.PRIVATE : network;
    seccomp = seccomp == null ? SeccompProfile.dockerDefault() : seccomp;
    settings = settings == null ? RunSettings.DEFAULT : settings;
  }

  /** With the default {@link RunSettings}. */
  public ProcessSpec(
      List<String> argv,
      List<String> env,
      String user,
      String workdir,
      String hostname,
      Network network,
      List<RunMount> mounts,
      boolean terminal,
      SeccompProfile seccomp) {
    this(argv, env, user, workdir, hostname, network, mounts, terminal, seccomp, null);
  }

  /** A process's working directory: "/" when none is given; a relative one is refused. */
  public static String workdir(String workdir) {
    String w = workdir == null || workdir.isEmpty() ? "/" : workdir;
    if (!w.startsWith("/")) {
      throw new IllegalArgumentException("working directory must be absolute: " + w);
    }
    return w;
  }

  /** The same process with {@code newMounts} instead of its mounts. */
  public ProcessSpec withMounts(List<RunMount> newMounts) {
    return new ProcessSpec(
        argv, env, user, workdir, hostname, network, newMounts, terminal, seccomp);
  }

  /** With Docker's default seccomp profile. */
  public ProcessSpec(
      List<String> argv,
      List<String> env,
      String user,
      String workdir,
      String hostname,
      Network network,
      List<RunMount> mounts,
      boolean terminal) {
    this(argv, env, user, workdir, hostname, network, mounts, terminal, null, null);
  }
}
