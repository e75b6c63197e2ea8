package dev.jbuild.runner.workspace;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The engine's old way to {@link dev.jbuild.runner.Trees#delete}: builder's {@code RunStep}, {@code
 * CopyStep} and {@code CacheMounts} still call it. Delete this class once they call the API class
 * (this package is internal to the runner).
 */
public final class Trees {
  private Trees() {}

  /** See {@link dev.jbuild.runner.Trees#delete(Path)}. */
  public static void delete(Path dir) throws IOException {
    dev.jbuild.runner.Trees.delete(dir);
  }
}
