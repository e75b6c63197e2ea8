package dev.jbuild.runner.container;

import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;

/** No container has the given id, id prefix or name. */
public final class ContainerNotFoundException extends RunnerException {
  private static final long serialVersionUID = 1L;

  public ContainerNotFoundException(String ref) {
    super("no such container: " + ref, RunnerErrors.CANNOT_CREATE);
  }
}
