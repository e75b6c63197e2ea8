package dev.jbuild.serve;

/** The API area of containers/{id}/archive: GET, PUT, HEAD (confined, as jbuild cp). */
final class ArchiveRoutes implements Routes {
  private final ServeContext context;

  ArchiveRoutes(ServeContext context) {
    this.context = context;
  }

  @Override
  public void register(Router router) {
    // routes are added here
  }
}
