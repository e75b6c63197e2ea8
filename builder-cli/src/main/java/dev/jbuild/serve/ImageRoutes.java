package dev.jbuild.serve;

/**
 * The API area of images: json, {name}/json, history, tag, DELETE, create (pull), push, get, load,
 * prune.
 */
final class ImageRoutes implements Routes {
  private final ServeContext context;

  ImageRoutes(ServeContext context) {
    this.context = context;
  }

  @Override
  public void register(Router router) {
    // routes are added here
  }
}
