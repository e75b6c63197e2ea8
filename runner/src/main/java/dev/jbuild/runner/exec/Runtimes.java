package dev.jbuild.runner.exec;

import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.runc.OciRuntime;
import java.nio.file.Path;

/** jbuild's runtime state root inside the store: {@code <store>/runc}. */
public final class Runtimes {
  public static final String STATE_DIR = "runc";

  private Runtimes() {}

  public static OciRuntime forStore(Path storeRoot, Path binary) throws RunnerException {
    return OciRuntime.of(binary, storeRoot.resolve(STATE_DIR));
  }
}
