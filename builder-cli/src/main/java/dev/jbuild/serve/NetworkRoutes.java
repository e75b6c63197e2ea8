package dev.jbuild.serve;

import dev.jbuild.cli.NetworkCommand;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.container.Containers;
import dev.jbuild.runner.container.NetworkRecord;
import dev.jbuild.runner.container.Volumes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API area of networks: list (docker's built-in {@code bridge}, {@code host} and {@code none}
 * first: jbuild's default private network is docker's bridge), inspect, create, remove, connect,
 * disconnect, prune, over the runner's {@link dev.jbuild.runner.container.Networks}.
 */
final class NetworkRoutes implements Routes {
  /** docker's built-in networks and their drivers (jbuild's default network plays bridge). */
  static final Map<String, String> BUILTIN =
      Map.of("bridge", "bridge", "host", "host", "none", "null");

  private final ServeContext context;

  NetworkRoutes(ServeContext context) {
    this.context = context;
  }

  @Override
  public void register(Router router) {
    router
        .add("GET", "/networks", this::list)
        .add("POST", "/networks/create", this::create)
        .add("POST", "/networks/prune", this::prune)
        .add("GET", "/networks/{id}", this::inspect)
        .add("DELETE", "/networks/{id}", this::remove)
        .add("POST", "/networks/{id}/connect", call -> connect(call, true))
        .add("POST", "/networks/{id}/disconnect", call -> connect(call, false));
  }

  /** A built-in network's stable id (64 hex digits, as docker's). */
  static String builtinId(String name) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(("jbuild-network-" + name).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject builtin(String name) {
    return withDefaults(
        JsonObject.builder()
            .put("Name", name)
            .put("Id", builtinId(name))
            .put("Created", "0001-01-01T00:00:00Z")
            .put("Scope", "local")
            .put("Driver", BUILTIN.get(name))
            .put(
                "IPAM",
                JsonObject.builder()
                    .put("Driver", "default")
                    .put("Config", JsonArray.EMPTY)
                    .build())
            .put("Containers", JsonObject.EMPTY)
            .put("Labels", JsonObject.EMPTY)
            .build());
  }

  private static JsonObject withDefaults(JsonObject n) {
    return n.toBuilder()
        .putAllAbsent(
            JsonObject.builder()
                .put("EnableIPv6", false)
                .put("Internal", false)
                .put("Attachable", false)
                .put("Ingress", false)
                .put("ConfigOnly", false)
                .put("Options", JsonObject.EMPTY)
                .build())
        .build();
  }

  private static Optional<JsonObject> find(Containers c, String ref) throws IOException {
    for (String b : List.of("bridge", "host", "none")) {
      if (ref.equals(b) || (ref.length() >= 3 && builtinId(b).startsWith(ref))) {
        return Optional.of(builtin(b));
      }
    }
    Optional<NetworkRecord> n = c.networks().find(ref);
    if (n.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(withDefaults(NetworkCommand.describe(c, n.get())));
  }

  private void list(ApiCall call) throws IOException, ApiException, InterruptedException {
    Map<String, List<String>> filters = Filters.parse(call.query("filters")).asMap();
    List<Json> out =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              List<JsonObject> all = new ArrayList<>();
              for (String b : List.of("bridge", "host", "none")) {
                all.add(builtin(b));
              }
              for (NetworkRecord n : containers.networks().list()) {
                all.add(withDefaults(NetworkCommand.describe(containers, n)));
              }
              List<Json> rows = new ArrayList<>();
              for (JsonObject n : all) {
                if (matches(n, filters)) {
                  rows.add(n);
                }
              }
              return rows;
            });
    call.json(200, new JsonArray(out));
  }

  private static boolean matches(JsonObject n, Map<String, List<String>> filters)
      throws ApiException {
    for (Map.Entry<String, List<String>> f : filters.entrySet()) {
      if (f.getKey().equals("label")) {
        if (!Filters.labelsMatch(n.stringMap("Labels"), f.getValue())) {
          return false;
        }
        continue;
      }
      boolean any = f.getValue().isEmpty();
      for (String v : f.getValue()) {
        any |=
            switch (f.getKey()) {
              case "name" -> n.string("Name").contains(v);
              case "id" -> n.string("Id").startsWith(v);
              case "driver" -> n.string("Driver").equals(v);
              case "scope" -> v.equals("local");
              case "type" ->
                  v.equals("builtin") == BUILTIN.containsKey(n.string("Name"))
                      && (v.equals("builtin") || v.equals("custom"));
              default ->
                  throw ApiException.badRequest(
                      "invalid filter '"
                          + f.getKey()
                          + "' (jbuild: name, id, driver, scope, type, label)");
            };
      }
      if (!any) {
        return false;
      }
    }
    return true;
  }

  private void inspect(ApiCall call) throws IOException, ApiException, InterruptedException {
    String ref = call.param("id");
    call.json(
        200,
        ContainerEngine.with(
            context,
            (store, containers) ->
                find(containers, ref)
                    .orElseThrow(() -> ApiException.notFound("network " + ref + " not found"))));
  }

  private void create(ApiCall call) throws IOException, ApiException, InterruptedException {
    JsonObject body = call.jsonBody() instanceof JsonObject o ? o : JsonObject.EMPTY;
    String name = body.string("Name", "");
    if (name.isEmpty()) {
      throw ApiException.badRequest("Name: a network needs a name");
    }
    String driver = body.string("Driver", "");
    if (!driver.isEmpty() && !driver.equals("bridge")) {
      throw ApiException.badRequest(
          "Driver \"" + driver + "\": jbuild's user networks are bridges only");
    }
    for (String k : body.keys()) {
      if (!List.of("Name", "Driver", "Labels", "CheckDuplicate", "Attachable", "Scope").contains(k)
          && !dev.jbuild.cli.ApiContainerRequests.isZero(body.get(k))) {
        if (k.equals("IPAM") && isDefaultIpam(body.object("IPAM"))) {
          continue;
        }
        throw ApiException.badRequest(k + ": not supported by jbuild's daemon");
      }
    }
    Map<String, String> labels =
        body.object("Labels") == null ? Map.of() : body.stringMap("Labels");
    NetworkRecord n =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              if (BUILTIN.containsKey(name)) {
                throw new ApiException(
                    403, name + " is a pre-defined network and cannot be created");
              }
              if (containers.networks().find(name).isPresent()) {
                throw ApiException.conflict("network with name " + name + " already exists");
              }
              try (Volumes.Lock _ = containers.volumes().lock()) {
                return containers.networks().create(name, labels);
              }
            });
    context
        .events()
        .publish("network", "create", n.id(), Map.of("name", n.name(), "type", "bridge"));
    call.json(201, JsonObject.builder().put("Id", n.id()).put("Warning", "").build());
  }

  private static boolean isDefaultIpam(JsonObject ipam) {
    if (ipam == null) {
      return true;
    }
    String d = ipam.string("Driver", "");
    JsonArray config = ipam.array("Config");
    return (d.isEmpty() || d.equals("default"))
        && (config == null || config.isEmpty())
        && (ipam.object("Options") == null || ipam.object("Options").isEmpty());
  }

  private void remove(ApiCall call) throws IOException, ApiException, InterruptedException {
    String ref = call.param("id");
    NetworkRecord n =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              if (find(containers, ref)
                  .map(o -> BUILTIN.containsKey(o.string("Name")))
                  .orElse(false)) {
                throw new ApiException(
                    403, ref + " is a pre-defined network and cannot be removed");
              }
              NetworkRecord rec =
                  containers
                      .networks()
                      .find(ref)
                      .orElseThrow(() -> ApiException.notFound("network " + ref + " not found"));
              try (Volumes.Lock _ = containers.volumes().lock()) {
                containers.networks().remove(rec.name(), containers.networkUsers());
              }
              return rec;
            });
    context
        .events()
        .publish("network", "destroy", n.id(), Map.of("name", n.name(), "type", "bridge"));
    call.noContent();
  }

  private void connect(ApiCall call, boolean connect)
      throws IOException, ApiException, InterruptedException {
    String ref = call.param("id");
    JsonObject body = call.jsonBody() instanceof JsonObject o ? o : JsonObject.EMPTY;
    String container = body.string("Container", "");
    if (container.isEmpty()) {
      throw ApiException.badRequest(
          "Container: which container to " + (connect ? "connect" : "disconnect"));
    }
    List<String> aliases = new ArrayList<>();
    JsonObject ep = body.object("EndpointConfig");
    if (ep != null) {
      for (String k : ep.keys()) {
        if (!k.equals("Aliases") && !dev.jbuild.cli.ApiContainerRequests.isZero(ep.get(k))) {
          throw ApiException.badRequest(
              "EndpointConfig." + k + ": not supported by jbuild's daemon");
        }
      }
      if (ep.strings("Aliases") != null) {
        aliases.addAll(ep.strings("Aliases"));
      }
    }
    NetworkRecord n =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              if (BUILTIN.containsKey(ref)) {
                throw ApiException.badRequest(
                    "jbuild connects containers to user networks only, not to " + ref);
              }
              NetworkRecord rec =
                  containers
                      .networks()
                      .find(ref)
                      .orElseThrow(() -> ApiException.notFound("network " + ref + " not found"));
              String id = containers.find(container).record().id();
              if (connect) {
                containers.connect(rec.name(), id, aliases);
              } else {
                containers.disconnect(rec.name(), id);
              }
              return rec;
            });
    context
        .events()
        .publish(
            "network",
            connect ? "connect" : "disconnect",
            n.id(),
            Map.of("name", n.name(), "container", container));
    call.text(200, "text/plain", "");
  }

  private void prune(ApiCall call) throws IOException, ApiException, InterruptedException {
    if (!Filters.parse(call.query("filters")).asMap().isEmpty()) {
      throw ApiException.badRequest("filters: network prune takes none in jbuild's daemon");
    }
    List<NetworkRecord> removed =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              List<NetworkRecord> out = new ArrayList<>();
              try (Volumes.Lock _ = containers.volumes().lock()) {
                Map<String, List<String>> users = containers.networkUsers();
                for (NetworkRecord n : containers.networks().list()) {
                  if (!users.containsKey(n.name())) {
                    containers.networks().remove(n.name(), users);
                    out.add(n);
                  }
                }
              }
              return out;
            });
    for (NetworkRecord n : removed) {
      context
          .events()
          .publish("network", "destroy", n.id(), Map.of("name", n.name(), "type", "bridge"));
    }
    call.json(
        200,
        JsonObject.builder()
            .put(
                "NetworksDeleted",
                Json.ofStrings(removed.stream().map(NetworkRecord::name).toList()))
            .build());
  }
}
