package dev.jbuild.runner.workspace;

import dev.jbuild.runner.runc.OciRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Runs the start-up {@link Sweeper} once per store root and runtime state root in this JVM. */
public final class Sweeps {
  private static final Set<String> DONE = ConcurrentHashMap.newKeySet();

  private Sweeps() {}

  public static void once(Path storeRoot, OciRuntime runtime) throws IOException {
    String key = storeRoot + "\0" + (runtime == null ? "" : runtime.binary());
    if (DONE.contains(key)) {
      return;
    }
    synchronized (Sweeps.class) {
      if (DONE.add(key)) {
        Sweeper.sweep(storeRoot, runtime);
      }
    }
  }
}
