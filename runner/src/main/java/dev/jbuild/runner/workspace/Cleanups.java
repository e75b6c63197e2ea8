package dev.jbuild.runner.workspace;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Clean-up actions that must run even when the JVM is stopped by Ctrl-C or SIGTERM: one shutdown
 * hook runs every action still registered, newest first. Actions must be idempotent (the owner runs
 * them too on the normal path, then unregisters them).
 */
public final class Cleanups {
  /** A registered action. */
  @FunctionalInterface
  public interface Action {
    void run() throws Exception;
  }

  private static final Set<Action> ACTIVE = new LinkedHashSet<>();
  private static boolean hookInstalled;
  private static boolean shuttingDown;

  private Cleanups() {}

  /** Registers {@code action}; false when the JVM is already shutting down (do not start work). */
  public static synchronized boolean register(Action action) {
    if (shuttingDown) {
      return false;
    }
    if (!hookInstalled) {
      Runtime.getRuntime().addShutdownHook(new Thread(Cleanups::runAll, "jbuild-cleanup"));
      hookInstalled = true;
    }
    ACTIVE.add(action);
    return true;
  }

  public static synchronized void unregister(Action action) {
    ACTIVE.remove(action);
  }

  public static synchronized boolean shuttingDown() {
    return shuttingDown;
  }

  private static void runAll() {
    List<Action> actions;
    synchronized (Cleanups.class) {
      shuttingDown = true;
      actions = new ArrayList<>(ACTIVE);
      ACTIVE.clear();
    }
    for (int i = actions.size() - 1; i >= 0; i--) {
      try {
        actions.get(i).run();
      } catch (Exception | Error e) {
        System.err.println("jbuild: clean-up failed: " + e.getMessage());
      }
    }
  }
}
