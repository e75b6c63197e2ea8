package dev.jbuild.serve;

/**
 * The API area of build: a tar context and docker's query parameters, progress as docker's JSON
 * stream; build/prune.
 */
final class BuildRoutes implements Routes {
  private final ServeContext context;

  BuildRoutes(ServeContext context) {
    this.context = context;
  }

  @Override
  public void register(Router router) {
    // routes are added here
  }
}
