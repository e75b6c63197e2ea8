package dev.jbuild.runner.container;

import dev.jbuild.runner.Network;
import dev.jbuild.runner.RunMount;
import dev.jbuild.runner.SeccompProfile;
import java.nio.file.Path;
import java.util.List;

/**
 * The options of {@code jbuild run}, as given (null: take the image's or the default).
 *
 * @param command arguments after the image: replace the image's Cmd when not empty
 * @param entrypoint {@code --entrypoint}: replaces the image's Entrypoint (and drops its Cmd); ""
 *     clears it
 * @param env {@code -e K=V} (or {@code K}: taken from jbuild's environment), after the env files
 * @param envFiles {@code --env-file}: K=V lines, # comments
 * @param network {@code --network}: PRIVATE (default), HOST or NONE
 * @param volumes {@code -v HOST:CTR[:ro]} as bind mounts
 * @param seccomp {@code --security-opt seccomp=...} (null: Docker's default profile)
 * @param wiring volumes, DNS, hosts entries, published ports (null: none)
 * @param hostConfig {@code --restart}, {@code --log-opt} (null: the defaults)
 * @param stopSignal {@code --stop-signal} (null: the image's StopSignal, else SIGTERM)
 * @param stopTimeout {@code --stop-timeout} in seconds (null: 10)
 */
public record RunOptions(
    List<String> command,
    String entrypoint,
    List<String> env,
    List<Path> envFiles,
    String user,
    String workdir,
    String hostname,
    Network network,
    List<RunMount> volumes,
    boolean tty,
    boolean interactive,
    String name,
    boolean detach,
    boolean autoRemove,
    Path runtime,
    SeccompProfile seccomp,
    Wiring wiring,
    HostConfig hostConfig,
    String stopSignal,
    Integer stopTimeout) {
  public RunOptions {
    wiring = wiring == null ? Wiring.NONE : wiring;
    hostConfig = hostConfig == null ? HostConfig.DEFAULT : hostConfig;
    command = List.copyOf(command);
    env = List.copyOf(env);
    envFiles = List.copyOf(envFiles);
    volumes = List.copyOf(volumes);
    network = network == null ? Network.PRIVATE : network;
    seccomp = seccomp == null ? SeccompProfile.dockerDefault() : seccomp;
    stopSignal = stopSignal == null || stopSignal.isEmpty() ? null : stopSignal;
  }

  /** Without a stop signal or timeout of the container's own. */
  public RunOptions(
      List<String> command,
      String entrypoint,
      List<String> env,
      List<Path> envFiles,
      String user,
      String workdir,
      String hostname,
      Network network,
      List<RunMount> volumes,
      boolean tty,
      boolean interactive,
      String name,
      boolean detach,
      boolean autoRemove,
      Path runtime,
      SeccompProfile seccomp,
      Wiring wiring,
      HostConfig hostConfig) {
    this(
        command,
        entrypoint,
        env,
        envFiles,
        user,
        workdir,
        hostname,
        network,
        volumes,
        tty,
        interactive,
        name,
        detach,
        autoRemove,
        runtime,
        seccomp,
        wiring,
        hostConfig,
        null,
        null);
  }

  /** Without volumes, ports, DNS or lifecycle settings: the defaults. */
  public RunOptions(
      List<String> command,
      String entrypoint,
      List<String> env,
      List<Path> envFiles,
      String user,
      String workdir,
      String hostname,
      Network network,
      List<RunMount> volumes,
      boolean tty,
      boolean interactive,
      String name,
      boolean detach,
      boolean autoRemove,
      Path runtime,
      SeccompProfile seccomp) {
    this(
        command,
        entrypoint,
        env,
        envFiles,
        user,
        workdir,
        hostname,
        network,
        volumes,
        tty,
        interactive,
        name,
        detach,
        autoRemove,
        runtime,
        seccomp,
        null,
        null);
  }

  /** Defaults: the image's command, the private network, attached. */
  public static RunOptions of(List<String> command) {
    return new RunOptions(
        command,
        null,
        List.of(),
        List.of(),
        null,
        null,
        null,
        Network.PRIVATE,
        List.of(),
        false,
        false,
        null,
        false,
        false,
        null,
        null,
        null,
        null);
  }

  /** These options with {@code hostConfig}. */
  public RunOptions withHostConfig(HostConfig hostConfig) {
    return new RunOptions(
        command,
        entrypoint,
        env,
        envFiles,
        user,
        workdir,
        hostname,
        network,
        volumes,
        tty,
        interactive,
        name,
        detach,
        autoRemove,
        runtime,
        seccomp,
        wiring,
        hostConfig,
        stopSignal,
        stopTimeout);
  }

  /** These options with {@code autoRemove}. */
  public RunOptions withAutoRemove(boolean autoRemove) {
    return new RunOptions(
        command,
        entrypoint,
        env,
        envFiles,
        user,
        workdir,
        hostname,
        network,
        volumes,
        tty,
        interactive,
        name,
        detach,
        autoRemove,
        runtime,
        seccomp,
        wiring,
        hostConfig,
        stopSignal,
        stopTimeout);
  }
}
