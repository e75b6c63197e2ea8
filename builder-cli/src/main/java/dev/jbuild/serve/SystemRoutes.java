package dev.jbuild.serve;

/** The API area of _ping, version, info, events, system df. */
final class SystemRoutes implements Routes {
  private final ServeContext context;

  SystemRoutes(ServeContext context) {
    this.context = context;
  }

  @Override
  public void register(Router router) {
    // routes are added here
  }
}
