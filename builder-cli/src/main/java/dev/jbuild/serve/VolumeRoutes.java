package dev.jbuild.serve;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonNull;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.container.VolumeRecord;
import dev.jbuild.runner.container.Volumes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The API area of volumes: list, create, inspect, remove, prune, over the runner's {@link Volumes}
 * (the same store lock and in-use rule as {@code jbuild volume}).
 */
final class VolumeRoutes implements Routes {
  private final ServeContext context;

  VolumeRoutes(ServeContext context) {
    this.context = context;
  }

  @Override
  public void register(Router router) {
    router
        .add("GET", "/volumes", this::list)
        .add("POST", "/volumes/create", this::create)
        .add("POST", "/volumes/prune", this::prune)
        .add("GET", "/volumes/{name}", this::inspect)
        .add("DELETE", "/volumes/{name}", this::remove);
  }

  private void list(ApiCall call) throws IOException, ApiException, InterruptedException {
    Map<String, List<String>> filters = Filters.parse(call.query("filters")).asMap();
    List<Json> out =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              Map<String, List<String>> users = containers.volumeUsers();
              List<Json> rows = new ArrayList<>();
              for (VolumeRecord v : containers.volumes().list()) {
                if (matches(v, filters, users)) {
                  rows.add(v.inspect());
                }
              }
              return rows;
            });
    call.json(
        200,
        JsonObject.builder()
            .put("Volumes", new dev.jbuild.layercache.json.JsonArray(out))
            .put("Warnings", JsonNull.INSTANCE)
            .build());
  }

  private static boolean matches(
      VolumeRecord v, Map<String, List<String>> filters, Map<String, List<String>> users)
      throws ApiException {
    for (Map.Entry<String, List<String>> f : filters.entrySet()) {
      for (String value : f.getValue()) {
        boolean ok =
            switch (f.getKey()) {
              case "dangling" -> {
                boolean want = value.equals("true") || value.equals("1");
                if (!want && !value.equals("false") && !value.equals("0")) {
                  throw ApiException.badRequest("invalid filter 'dangling=" + value + "'");
                }
                yield users.containsKey(v.name()) != want;
              }
              case "name" -> v.name().contains(value);
              case "driver" -> value.equals("local");
              case "label" -> Filters.labelsMatch(v.labels(), List.of(value));
              default ->
                  throw ApiException.badRequest(
                      "invalid filter '"
                          + f.getKey()
                          + "' (jbuild: dangling, name, driver, label)");
            };
        if (!ok) {
          return false;
        }
      }
    }
    return true;
  }

  private void create(ApiCall call) throws IOException, ApiException, InterruptedException {
    JsonObject body = call.jsonBody() instanceof JsonObject o ? o : JsonObject.EMPTY;
    String driver = body.string("Driver", "");
    if (!driver.isEmpty() && !driver.equals("local")) {
      throw ApiException.badRequest("Driver \"" + driver + "\": jbuild has the local driver only");
    }
    if (body.object("DriverOpts") != null && !body.object("DriverOpts").isEmpty()) {
      throw ApiException.badRequest("DriverOpts: not supported by jbuild's daemon");
    }
    String name = body.string("Name", "");
    if (!name.isEmpty() && !Volumes.validName(name)) {
      throw ApiException.badRequest(
          dev.jbuild.runner.RunnerErrors.invalidVolumeName(name).getMessage());
    }
    Map<String, String> labels =
        body.object("Labels") == null ? Map.of() : body.stringMap("Labels");
    VolumeRecord v =
        ContainerEngine.with(
            context,
            (store, containers) ->
                containers.volumes().create(name.isEmpty() ? null : name, labels));
    context.events().publish("volume", "create", v.name(), Map.of("driver", "local"));
    call.json(201, v.inspect());
  }

  private void inspect(ApiCall call) throws IOException, ApiException, InterruptedException {
    String name = call.param("name");
    call.json(
        200,
        ContainerEngine.with(
            context,
            (store, containers) ->
                containers
                    .volumes()
                    .find(name)
                    .orElseThrow(() -> ApiException.notFound("get " + name + ": no such volume"))
                    .inspect()));
  }

  private void remove(ApiCall call) throws IOException, ApiException, InterruptedException {
    String name = call.param("name");
    boolean force = call.flag("force");
    boolean removed =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              Volumes v = containers.volumes();
              try (Volumes.Lock _ = v.lock()) {
                if (v.find(name).isEmpty()) {
                  if (force) {
                    return false;
                  }
                  throw ApiException.notFound("get " + name + ": no such volume");
                }
                v.remove(name, containers.volumeUsers());
                return true;
              }
            });
    if (removed) {
      context.events().publish("volume", "destroy", name, Map.of("driver", "local"));
    }
    call.noContent();
  }

  private void prune(ApiCall call) throws IOException, ApiException, InterruptedException {
    Map<String, List<String>> filters = Filters.parse(call.query("filters")).asMap();
    boolean all = call.version() != null && olderThan142(call.version());
    for (Map.Entry<String, List<String>> f : filters.entrySet()) {
      if (f.getKey().equals("all")) {
        all = f.getValue().contains("true") || f.getValue().contains("1");
      } else {
        throw ApiException.badRequest("invalid filter '" + f.getKey() + "' (jbuild: all)");
      }
    }
    boolean everything = all;
    Map<VolumeRecord, Long> removed =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              Volumes v = containers.volumes();
              try (Volumes.Lock _ = v.lock()) {
                return v.prune(everything, containers.volumeUsers());
              }
            });
    long space = 0;
    List<String> names = new ArrayList<>();
    for (Map.Entry<VolumeRecord, Long> e : removed.entrySet()) {
      names.add(e.getKey().name());
      space += e.getValue();
      context.events().publish("volume", "destroy", e.getKey().name(), Map.of("driver", "local"));
    }
    call.json(
        200,
        JsonObject.builder()
            .put("VolumesDeleted", Json.ofStrings(names))
            .put("SpaceReclaimed", space)
            .build());
  }

  /** Before API 1.42 docker's volume prune removed named volumes too. */
  private static boolean olderThan142(String version) {
    String[] p = version.split("\\.");
    try {
      return Integer.parseInt(p[0]) == 1 && p.length > 1 && Integer.parseInt(p[1]) < 42;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
