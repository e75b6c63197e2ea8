package dev.jbuild.serve;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.container.ContainerState;
import dev.jbuild.runner.container.Containers;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * docker's {@code die} event of a container the daemon started: its monitor, another process, sees
 * the exit, so a virtual thread per started container polls its state and publishes {@code die}
 * with the exit code once it stops (auto-removed ones get theirs from {@link AutoRemovals}).
 */
final class ExitWatch {
  private static final long POLL_MILLIS = 250;

  private final ServeContext context;
  private final AutoRemovals auto;
  private final Set<String> watched = ConcurrentHashMap.newKeySet();

  ExitWatch(ServeContext context, AutoRemovals auto) {
    this.context = context;
    this.auto = auto;
  }

  /** Watches container {@code id} (started just now) until it stops. */
  void watch(String id) {
    if (!watched.add(id)) {
      return;
    }
    Thread.ofVirtual()
        .name("jbuild-exit-" + id.substring(0, 12))
        .start(
            () -> {
              try (Store store = Store.open(context.storeRoot())) {
                Containers containers = Containers.open(store, null);
                while (true) {
                  Optional<ContainerState> s = containers.current(id);
                  if (s.isEmpty()) {
                    return;
                  }
                  if (!s.get().isRunning()) {
                    if (!auto.marked(id)) {
                      int code =
                          s.get().status() == ContainerState.Status.EXITED
                              ? s.get().exitCode()
                              : 137;
                      context
                          .events()
                          .publish(
                              "container",
                              "die",
                              id,
                              Map.of(
                                  "name", s.get().record().name(),
                                  "image", s.get().record().image(),
                                  "exitCode", Integer.toString(code)));
                    }
                    return;
                  }
                  Thread.sleep(POLL_MILLIS);
                }
              } catch (IOException | RuntimeException e) {
                // no event then: the container's state is still in the store
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                watched.remove(id);
              }
            });
  }
}
