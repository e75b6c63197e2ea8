package dev.jbuild.serve;

/** The API area of volumes: list, create, inspect, remove, prune. */
final class VolumeRoutes implements Routes {
  private final ServeContext context;

  VolumeRoutes(ServeContext context) {
    this.context = context;
  }

  @Override
  public void register(Router router) {
    // routes are added here
  }
}
