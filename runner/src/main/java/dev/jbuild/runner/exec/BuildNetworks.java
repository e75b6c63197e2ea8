package dev.jbuild.runner.exec;

import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.Trees;
import dev.jbuild.runner.net.UserNetwork;
import dev.jbuild.runner.sys.MountTable;
import dev.jbuild.runner.workspace.Cleanups;
import dev.jbuild.runner.workspace.RunDir;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The private network the RUN steps of one runner (one build) share: one network namespace and one
 * slirp4netns per store, started with the first step that needs it (20-30 ms once, not per step),
 * restarted if its slirp4netns died, stopped by {@link #close} (the runner's close, or the shutdown
 * hook on Ctrl-C). It lives in a run directory of its own, so a killed jbuild's namespace is swept
 * like any run; its slirp4netns ends with the JVM (exit fd).
 *
 * <p>What the steps share is only the namespace: no step's process outlives the step (its pid
 * namespace ends with it), and without CAP_NET_ADMIN a step cannot change addresses, routes or
 * filters; the steps are one Dockerfile's.
 */
final class BuildNetworks implements AutoCloseable {
  private final Map<Path, Entry> byStore = new HashMap<>();
  private final Cleanups.Action cleanup = this::close;
  private boolean registered;

  private record Entry(RunDir dir, UserNetwork network) {}

  /**
   * The store's shared network, started if need be: slirp4netns configures the interface while the
   * caller prepares the step (its root file system, its spec), and the caller waits for it with
   * {@link UserNetwork#awaitReady} just before starting the container (the start took a tenth of a
   * second on the critical path of every build's first RUN).
   */
  UserNetwork forStore(Path storeRoot) throws IOException {
    synchronized (byStore) {
      Entry e = byStore.get(storeRoot);
      if (e != null && e.network().isAlive()) {
        return e.network();
      }
      if (e != null) {
        byStore.remove(storeRoot);
        stop(e);
      }
      if (!registered) {
        if (!Cleanups.register(cleanup)) {
          throw new RunnerException("jbuild is shutting down", RunnerErrors.CANNOT_CREATE);
        }
        registered = true;
      }
      RunDir dir = RunDir.create(storeRoot);
      UserNetwork n;
      try {
        n = UserNetwork.start(dir.dir(), false);
      } catch (IOException | RuntimeException | Error ex) {
        Trees.delete(dir.dir());
        throw ex;
      }
      // a network that fails to become ready is closed by awaitReady: the next step's call finds
      // it dead and starts another
      byStore.put(storeRoot, new Entry(dir, n));
      return n;
    }
  }

  /** Stops every shared network (the runner stays usable: the next step starts a new one). */
  @Override
  public void close() throws IOException {
    List<Entry> all;
    synchronized (byStore) {
      all = new ArrayList<>(byStore.values());
      byStore.clear();
      if (registered) {
        Cleanups.unregister(cleanup);
        registered = false;
      }
    }
    IOException first = null;
    for (Entry e : all) {
      try {
        stop(e);
      } catch (IOException ex) {
        first = first == null ? ex : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static void stop(Entry e) throws IOException {
    try {
      e.network().close();
    } finally {
      MountTable.unmountAll(e.dir().dir());
      Trees.delete(e.dir().dir());
    }
  }
}
