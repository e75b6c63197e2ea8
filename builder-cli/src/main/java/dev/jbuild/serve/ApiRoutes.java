package dev.jbuild.serve;

import java.util.List;

/** Every API area of the daemon, in the order their routes are tried. */
public final class ApiRoutes {
  private ApiRoutes() {}

  public static Router router(ServeContext context) {
    Router router = new Router();
    for (Routes area :
        List.of(
            new SystemRoutes(context),
            new ImageRoutes(context),
            new BuildRoutes(context),
            new ContainerRoutes(context),
            new ExecRoutes(context),
            new ArchiveRoutes(context),
            new VolumeRoutes(context),
            new NetworkRoutes(context),
            new ClientRoutes(context))) {
      area.register(router);
    }
    return router;
  }
}
