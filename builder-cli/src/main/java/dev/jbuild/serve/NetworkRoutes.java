package dev.jbuild.serve;

/** The API area of networks: list, create, inspect, remove, connect, disconnect, prune. */
final class NetworkRoutes implements Routes {
  private final ServeContext context;

  NetworkRoutes(ServeContext context) {
    this.context = context;
  }

  @Override
  public void register(Router router) {
    // routes are added here
  }
}
