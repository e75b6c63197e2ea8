package dev.jbuild.serve;

/**
 * The API area of containers: create, start, stop, restart, kill, wait, attach, logs, json,
 * {id}/json, DELETE, prune.
 */
final class ContainerRoutes implements Routes {
  private final ServeContext context;

  ContainerRoutes(ServeContext context) {
    this.context = context;
  }

  @Override
  public void register(Router router) {
    // routes are added here
  }
}
