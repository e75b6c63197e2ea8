package dev.jbuild.serve;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.layercache.store.StorePermissions;
import dev.jbuild.runner.container.ContainerState;
import dev.jbuild.runner.container.Containers;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code HostConfig.AutoRemove} of containers the daemon created ({@code docker run --rm}). The
 * daemon removes them itself, not their monitor: the docker CLI attaches and waits for the exit
 * code of a container that may be gone a few milliseconds after it exits, so removal waits until
 * every attached client has read the output, and the exit code is kept for {@code
 * wait?condition=removed}. A marker file {@code <store>/daemon/autoremove/<id>} survives a daemon
 * restart: the next daemon removes what exited meanwhile. One daemon thread polls the marked
 * containers.
 */
final class AutoRemovals {
  static final String DIR = "daemon/autoremove";
  private static final long POLL_MILLIS = 50;

  private final ServeContext context;
  private final Path dir;
  private final Map<String, Integer> attached = new ConcurrentHashMap<>();

  /** The exit codes of the last containers removed here (a bounded memory of them). */
  private final Map<String, Integer> exitCodes =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
              return size() > 1000;
            }
          });

  private Thread reaper;

  AutoRemovals(ServeContext context) {
    this.context = context;
    this.dir = context.storeRoot().resolve(DIR);
    if (!pending().isEmpty()) {
      wake();
    }
  }

  /** Marks container {@code id} for removal once it exited. */
  void mark(String id) throws IOException {
    StorePermissions.createPrivateDirectories(dir);
    Files.writeString(dir.resolve(id), "");
    wake();
  }

  boolean marked(String id) {
    return Files.exists(dir.resolve(id));
  }

  /** An attached client reads the output of {@code id}: no removal until {@link #detach}. */
  void attach(String id) {
    attached.merge(id, 1, Integer::sum);
  }

  void detach(String id) {
    attached.computeIfPresent(id, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** The exit code of a container this removed (for waiters that saw it go). */
  Optional<Integer> exitCodeOfRemoved(String id) {
    return Optional.ofNullable(exitCodes.get(id));
  }

  private synchronized void wake() {
    if (reaper == null || !reaper.isAlive()) {
      reaper = Thread.ofPlatform().daemon().name("jbuild-autoremove").start(this::loop);
    }
  }

  private List<String> pending() {
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        out.add(p.getFileName().toString());
      }
    } catch (IOException e) {
      // none readable: nothing to do
    }
    return out;
  }

  private void loop() {
    while (true) {
      List<String> ids = pending();
      if (ids.isEmpty()) {
        synchronized (this) {
          if (pending().isEmpty()) {
            reaper = null;
            return;
          }
        }
        continue;
      }
      try (Store store = Store.open(context.storeRoot())) {
        Containers containers = Containers.open(store, null);
        for (String id : ids) {
          reap(containers, id);
        }
      } catch (IOException | RuntimeException e) {
        // tried again on the next round
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void reap(Containers containers, String id) throws IOException {
    Optional<ContainerState> s = containers.current(id);
    if (s.isEmpty()) {
      Files.deleteIfExists(dir.resolve(id));
      return;
    }
    ContainerState.Status status = s.get().status();
    if (status != ContainerState.Status.EXITED && status != ContainerState.Status.DEAD) {
      return;
    }
    if (attached.containsKey(id)) {
      return;
    }
    int code = status == ContainerState.Status.EXITED ? s.get().exitCode() : 137;
    exitCodes.put(id, code);
    String name = s.get().record().name();
    String image = s.get().record().image();
    context
        .events()
        .publish(
            "container",
            "die",
            id,
            Map.of("name", name, "image", image, "exitCode", Integer.toString(code)));
    try {
      containers.remove(id, true, true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    Files.deleteIfExists(dir.resolve(id));
    context.events().publish("container", "destroy", id, Map.of("name", name, "image", image));
  }
}
