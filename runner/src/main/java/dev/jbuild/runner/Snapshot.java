package dev.jbuild.runner;

import java.io.IOException;
import java.nio.file.Path;

/** A read-only view of a layer chain, mounted until closed. */
public interface Snapshot extends AutoCloseable {
  /** The merged root directory. */
  Path root();

  /** Unmounts and removes the view (idempotent). */
  @Override
  void close() throws IOException;
}
