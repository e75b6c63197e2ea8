package dev.jbuild.serve;

/** One area of the API (system, images, containers...): adds its routes to the router. */
public interface Routes {
  void register(Router router);
}
