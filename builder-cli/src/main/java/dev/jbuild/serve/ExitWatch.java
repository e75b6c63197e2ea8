package dev.jbuild.serve;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.container.ContainerState;
import dev.jbuild.runner.container.Containers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * docker's {@code die} event of a container the daemon started: its monitor, another process, sees
 * the exit, so a virtual thread per started container polls its state and publishes {@code die}
 * with the exit code once it stops (auto-removed ones get theirs from {@link AutoRemovals}). The
 * containers a previous daemon started are watched from the start ({@link #watchRunning}).
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

  /**
   * Watches every container running now: at the daemon's start, those a previous daemon started
   * (their monitors outlived it) get their {@code die} event from this one.
   */
  void watchRunning() {
    Path dir = context.storeRoot().resolve(Containers.DIR);
    if (!Files.isDirectory(dir)) {
      return; // no container was ever made in this store
    }
    Thread.ofVirtual()
        .name("jbuild-exit-scan")
        .start(
            () -> {
              try (Store store = Store.open(context.storeRoot())) {
                for (ContainerState s : Containers.open(store, null).list()) {
                  if (s.isRunning()) {
                    watch(s.record().id());
                  }
                }
              } catch (IOException | RuntimeException e) {
                // no events for them then; their state is still in the store
              }
            });
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
