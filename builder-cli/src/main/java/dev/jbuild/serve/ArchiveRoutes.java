package dev.jbuild.serve;

import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.container.PathStat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The API area of container archives ({@code docker cp}): {@code HEAD} (the path's stat in the
 * {@code X-Docker-Container-Path-Stat} header), {@code GET} (the path as a tar), {@code PUT} (a tar
 * extracted into a directory), of running and stopped containers alike. The work is the runner's
 * {@code ContainerCopy}, the one confined copy that {@code jbuild cp} uses too: every path is
 * resolved inside the container's root, never on the host.
 */
final class ArchiveRoutes implements Routes {
  static final String STAT_HEADER = "X-Docker-Container-Path-Stat";

  private final ServeContext context;

  ArchiveRoutes(ServeContext context) {
    this.context = context;
  }

  @Override
  public void register(Router router) {
    router
        .add("HEAD", "/containers/{id}/archive", this::head)
        .add("GET", "/containers/{id}/archive", this::get)
        .add("PUT", "/containers/{id}/archive", this::put);
  }

  private static String path(ApiCall call) throws ApiException {
    String p = call.query("path");
    if (p == null || p.isEmpty()) {
      throw ApiException.badRequest("path: a path in the container is required");
    }
    if (p.indexOf('\0') >= 0) {
      throw ApiException.badRequest("path: a NUL byte");
    }
    return p.startsWith("/") ? p : "/" + p;
  }

  static String statHeader(PathStat s) {
    String json =
        JsonObject.builder()
            .put("name", s.name())
            .put("size", s.size())
            .put("mode", s.mode())
            .put("mtime", s.mtime().toString())
            .put("linkTarget", s.linkTarget())
            .build()
            .toString();
    return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private void head(ApiCall call) throws IOException, ApiException, InterruptedException {
    String path = path(call);
    String ref = call.param("id");
    PathStat s =
        ContainerEngine.with(context, (store, containers) -> containers.copy().stat(ref, path));
    call.stream(200, "application/x-tar", STAT_HEADER, statHeader(s)).close();
  }

  private void get(ApiCall call) throws IOException, ApiException, InterruptedException {
    if (call.method().equals("HEAD")) {
      head(call);
      return;
    }
    String path = path(call);
    String ref = call.param("id");
    OutputStream[] out = new OutputStream[1];
    try {
      ContainerEngine.with(
          context,
          (store, containers) -> {
            containers
                .copy()
                .archive(
                    ref,
                    path,
                    s ->
                        out[0] = call.stream(200, "application/x-tar", STAT_HEADER, statHeader(s)));
            return null;
          });
    } finally {
      if (out[0] != null) {
        out[0].close();
      }
    }
  }

  private void put(ApiCall call) throws IOException, ApiException, InterruptedException {
    String path = path(call);
    // docker cp -a: what is written is the container user's
    boolean copyUidGid = call.flag("copyUIDGID");
    boolean noOverwrite = call.flag("noOverwriteDirNonDir");
    String ref = call.param("id");
    try {
      ContainerEngine.with(
          context,
          (store, containers) -> {
            containers.copy().extract(call.body(), ref, path, noOverwrite, copyUidGid);
            return null;
          });
    } catch (dev.jbuild.layercache.tar.LayerFormatException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    context.events().publish("container", "extract-to-dir", ref, Map.of("path", path));
    call.text(200, "text/plain", "");
  }
}
