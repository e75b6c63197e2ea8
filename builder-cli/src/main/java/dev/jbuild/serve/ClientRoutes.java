package dev.jbuild.serve;

/**
 * The API area of jbuild's own endpoints for client mode (jbuild --host): what the Docker API
 * cannot carry.
 */
final class ClientRoutes implements Routes {
  private final ServeContext context;

  ClientRoutes(ServeContext context) {
    this.context = context;
  }

  @Override
  public void register(Router router) {
    // routes are added here
  }
}
