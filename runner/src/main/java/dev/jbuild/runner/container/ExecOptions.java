package dev.jbuild.runner.container;

import java.util.List;

/**
 * The options of {@code jbuild exec}.
 *
 * @param argv the command and its arguments
 * @param user {@code -u USER[:GROUP]} (null: the container's user)
 * @param workdir {@code -w DIR} (null: the container's)
 * @param env {@code -e K=V} (or K: from jbuild's environment), added to the container's
 * @param tty {@code -t}
 * @param detach {@code -d}: start it and return
 */
public record ExecOptions(
    List<String> argv, String user, String workdir, List<String> env, boolean tty, boolean detach) {
  public ExecOptions {
    argv = List.copyOf(argv);
    env = List.copyOf(env);
  }
}
