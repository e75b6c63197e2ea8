package dev.jbuild.runner.container;

import dev.jbuild.layercache.model.ContainerConfig;
import dev.jbuild.layercache.model.ImageConfig;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.exec.ProcessSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Docker's rules for turning an image config and {@code run} options into a process. */
final class ImageRuns {
  private ImageRuns() {}

  /** The container's argv: Entrypoint + Cmd, with --entrypoint and arguments applied. */
  static List<String> argv(ContainerConfig image, RunOptions o) throws RunnerException {
    List<String> entrypoint = image.entrypoint() == null ? List.of() : image.entrypoint();
    List<String> cmd = image.cmd() == null ? List.of() : image.cmd();
    if (o.entrypoint() != null) {
      entrypoint = o.entrypoint().isEmpty() ? List.of() : List.of(o.entrypoint());
      cmd = List.of();
    }
    if (!o.command().isEmpty()) {
      cmd = o.command();
    }
    List<String> argv = new ArrayList<>(entrypoint);
    argv.addAll(cmd);
    if (argv.isEmpty()) {
      throw new RunnerException(
          "no command specified: the image has no Entrypoint or Cmd; give one after the image name",
          RunnerErrors.CANNOT_CREATE);
    }
    return argv;
  }

  /**
   * The environment: HOSTNAME, the image's Env, the env files, then -e; TERM=xterm with a tty.
   * {@code -e K} without a value takes K from {@code host}, and is dropped when host lacks it.
   */
  static List<String> env(
      ContainerConfig image, RunOptions o, String hostname, Map<String, String> host)
      throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("HOSTNAME", hostname);
    for (String e : image.env() == null ? List.<String>of() : image.env()) {
      put(env, e, host);
    }
    for (Path f : o.envFiles()) {
      for (String line : readEnvFile(f)) {
        put(env, line, host);
      }
    }
    for (String e : o.env()) {
      put(env, e, host);
    }
    if (o.tty()) {
      env.putIfAbsent("TERM", "xterm");
    }
    List<String> out = new ArrayList<>();
    env.forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  /** The process for a container of {@code config} (id gives the default hostname). */
  static ProcessSpec process(ImageConfig config, RunOptions o, String id) throws IOException {
    ContainerConfig c = config.configOrEmpty();
    String hostname = o.hostname() != null ? o.hostname() : id.substring(0, 12);
    String user = o.user() != null ? o.user() : c.user() == null ? "" : c.user();
    String workdir = o.workdir() != null ? o.workdir() : c.workingDir();
    if (workdir == null || workdir.isEmpty()) {
      workdir = "/";
    }
    if (!workdir.startsWith("/")) {
      throw new RunnerException(
          "the working directory '" + workdir + "' is invalid, it needs to be an absolute path",
          RunnerErrors.CANNOT_CREATE);
    }
    List<String> argv = argv(c, o);
    List<dev.jbuild.runner.RunMount> mounts = o.volumes();
    if (o.hostConfig().init()) {
      // Docker's --init: its docker-init (tini) bind-mounted read-only, PID 1, the command its
      // child
      List<String> withInit = new ArrayList<>(List.of(INIT_TARGET, "--"));
      withInit.addAll(argv);
      argv = withInit;
      List<dev.jbuild.runner.RunMount> m = new ArrayList<>(mounts);
      m.add(new dev.jbuild.runner.RunMount.Bind(initBinary(), INIT_TARGET, true));
      mounts = m;
    }
    return new ProcessSpec(
        argv,
        env(c, o, hostname, System.getenv()),
        user,
        workdir,
        hostname,
        o.network(),
        mounts,
        o.tty(),
        o.seccomp());
  }

  /** Where {@code --init} puts the init in the container, as Docker does. */
  static final String INIT_TARGET = "/sbin/docker-init";

  /**
   * The init of {@code --init}: {@code $JBUILD_INIT}, else Debian's static tini (package tini);
   * static, since the image may have no C library.
   */
  static Path initBinary() throws RunnerException {
    String env = System.getenv("JBUILD_INIT");
    List<Path> candidates =
        env != null && !env.isEmpty()
            ? List.of(Path.of(env))
            : List.of(Path.of("/usr/bin/tini-static"), Path.of("/usr/bin/docker-init"));
    for (Path p : candidates) {
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p;
      }
    }
    throw new RunnerException(
        "--init needs a static init: install Debian's tini (its /usr/bin/tini-static) or set"
            + " JBUILD_INIT to one",
        RunnerErrors.CANNOT_CREATE);
  }

  private static void put(Map<String, String> env, String entry, Map<String, String> host) {
    int eq = entry.indexOf('=');
    if (eq < 0) {
      String v = host.get(entry);
      if (v != null) {
        env.put(entry, v);
      } else {
        env.remove(entry);
      }
      return;
    }
    env.put(entry.substring(0, eq), entry.substring(eq + 1));
  }

  static List<String> readEnvFile(Path f) throws IOException {
    String text;
    try {
      text = Files.readString(f, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new RunnerException("env file " + f + " not found", RunnerErrors.CANNOT_CREATE);
    }
    List<String> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      if (l.indexOf('=') == 0) {
        throw new RunnerException(
            "env file " + f + ": invalid line '" + l + "' (no variable name)",
            RunnerErrors.CANNOT_CREATE);
      }
      out.add(line.stripLeading());
    }
    return out;
  }
}
