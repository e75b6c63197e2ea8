package dev.jbuild.serve;

import dev.jbuild.cli.UserException;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.container.ContainerNotFoundException;
import dev.jbuild.runner.container.Containers;
import java.io.IOException;

/**
 * How the container, exec, archive, volume and network areas reach the engine: the daemon's store
 * and the runner's {@link Containers} over it, opened for one request (each open sweeps dead
 * containers, as every jbuild command does), and the engine's errors turned into docker's status
 * codes.
 */
final class ContainerEngine {
  private ContainerEngine() {}

  /** What a handler does with the store and its containers open. */
  interface Body<T> {
    T run(Store store, Containers containers)
        throws IOException, ApiException, InterruptedException;
  }

  static <T> T with(ServeContext context, Body<T> body)
      throws IOException, ApiException, InterruptedException {
    try (Store store = Store.open(context.storeRoot())) {
      return body.run(store, Containers.open(store, null));
    } catch (ContainerNotFoundException e) {
      throw ApiException.notFound(
          "No such container: " + e.getMessage().replaceFirst("^no such container: ", ""));
    } catch (RunnerException e) {
      throw mapped(e.getMessage());
    } catch (UserException e) {
      throw switch (e.exitCode()) {
        case 4 -> ApiException.notFound(e.getMessage());
        case 2 -> ApiException.badRequest(e.getMessage());
        default -> mapped(e.getMessage());
      };
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }

  /** A runner failure: a conflict (name in use, running, not running, in use) or a server error. */
  static ApiException mapped(String message) {
    String m = message == null ? "failed" : message;
    if (m.contains("already in use")
        || m.contains("is running")
        || m.contains("not running")
        || m.contains("is paused")
        || m.contains("not paused")
        || m.contains("in use")) {
      return ApiException.conflict(m);
    }
    if (m.startsWith("no such ") || m.contains(": no such ") || m.startsWith("Could not find")) {
      return ApiException.notFound(m);
    }
    if (m.startsWith("invalid ")
        || m.startsWith("cannot extract ")
        || m.startsWith("cannot overwrite ")
        || m.startsWith("extraction point ")
        || m.startsWith("device ")) {
      return ApiException.badRequest(m);
    }
    return ApiException.serverError(m);
  }
}
