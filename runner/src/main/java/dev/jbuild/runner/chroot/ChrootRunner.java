package dev.jbuild.runner.chroot;

import dev.jbuild.runner.RunRequest;
import dev.jbuild.runner.RunResult;
import dev.jbuild.runner.Runner;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;

/** RUN steps in chroot isolation (being written: see runner/README.md "Isolation"). */
public final class ChrootRunner implements Runner {
  @Override
  public RunResult run(RunRequest request) throws RunnerException {
    throw new RunnerException(
        "chroot isolation cannot run RUN steps yet", RunnerErrors.CANNOT_CREATE);
  }
}
