package dev.jbuild.serve;

/**
 * The API area of exec: containers/{id}/exec, exec/{id}/start, exec/{id}/json, exec/{id}/resize.
 */
final class ExecRoutes implements Routes {
  private final ServeContext context;

  ExecRoutes(ServeContext context) {
    this.context = context;
  }

  @Override
  public void register(Router router) {
    // routes are added here
  }
}
