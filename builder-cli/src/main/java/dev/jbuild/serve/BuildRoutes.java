package dev.jbuild.serve;

import dev.jbuild.cli.DaemonBuild;
import dev.jbuild.cli.UserException;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.json.JsonString;
import dev.jbuild.layercache.registry.auth.CredentialStore;
import dev.jbuild.layercache.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The API area of build: a tar context and docker's query parameters, progress as docker's JSON
 * stream; build/prune.
 */
final class BuildRoutes implements Routes {
  private final ServeContext context;
  private final ContextPool contexts;

  BuildRoutes(ServeContext context) {
    this.context = context;
    this.contexts = ContextPool.of(context.storeRoot(), context.env());
  }

  @Override
  public void register(Router router) {
    router.add("POST", "/build", this::build);
    router.add("POST", "/build/prune", call -> Prunes.buildCache(context, call));
  }

  private void build(ApiCall call) throws IOException, ApiException, InterruptedException {
    BuildParams params = BuildParams.parse(call);
    CredentialStore auth = RegistryAuth.fromConfigHeader(call.header("X-Registry-Config"));
    String key =
        "api\0" + call.client().description() + "\0" + params.tags() + "\0" + params.dockerfile();
    try (Store store = Store.open(context.storeRoot())) {
      Path dir = contexts.take(key);
      ContextSync.Stats whole = null;
      try {
        whole = ContextTar.extract(store, call.body(), ContextTar.maxBytes(context.env()), dir);
        JsonStream out = new JsonStream(call.stream(200, "application/json"));
        StringWriter logText = new StringWriter();
        // a client that goes away cancels the build (docker's too): its thread is interrupted,
        // the steps stop and a RUN step's container is killed
        ApiCall.Watch gone = call.cancelOnDisconnect();
        try (gone;
            PrintWriter log = new PrintWriter(logText)) {
          DaemonBuild.Result result =
              DaemonBuild.build(
                  store,
                  params.request(dir, auth),
                  context.env(),
                  new BuildProgress(out, params.quiet()),
                  log);
          String warnings = logText.toString();
          if (!warnings.isBlank() && !params.quiet()) {
            out.stream(warnings.endsWith("\n") ? warnings : warnings + "\n");
          }
          out.aux(JsonObject.builder().put("ID", result.id()).build());
          if (params.quiet()) {
            out.stream(result.id() + "\n");
          } else {
            out.stream("Successfully built " + result.id().substring(7, 19) + "\n");
            for (String t : params.tags()) {
              out.stream("Successfully tagged " + familiar(t) + "\n");
            }
          }
          for (String t : params.tags()) {
            context.events().publish("image", "tag", result.id(), Map.of("name", familiar(t)));
          }
        } catch (UserException e) {
          out.error(RegistryAuth.forClient(e.getMessage()));
        } catch (IOException | RuntimeException e) {
          // the answer started: the failure goes into the stream, as docker's does
          out.error(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        out.close();
      } finally {
        if (whole != null) {
          contexts.give(key, dir, whole.bytes());
        } else {
          contexts.discard(dir);
        }
      }
    }
  }

  /** {@code app:1} for {@code app:1}, {@code app} -> {@code app:latest}, as docker prints tags. */
  static String familiar(String tag) {
    try {
      return dev.jbuild.layercache.model.ImageReference.parse(tag).familiarString();
    } catch (IllegalArgumentException e) {
      return tag;
    }
  }

  /** docker's build query, decoded and checked before anything is read or streamed. */
  record BuildParams(
      List<String> tags,
      String dockerfile,
      Map<String, String> buildArgs,
      String target,
      boolean noCache,
      boolean pull,
      Map<String, String> labels,
      List<String> platforms,
      List<String> cacheFrom,
      String networkMode,
      List<String> extraHosts,
      String shmSize,
      List<String> ulimits,
      boolean quiet) {

    DaemonBuild.Request request(Path dir, CredentialStore auth) {
      return new DaemonBuild.Request(
          dir,
          dockerfile,
          tags,
          buildArgs,
          target,
          noCache,
          pull,
          labels,
          platforms,
          cacheFrom,
          networkMode,
          extraHosts,
          shmSize,
          ulimits,
          auth);
    }

    static BuildParams parse(ApiCall call) throws ApiException {
      refuseUnsupported(call);
      List<String> tags = new ArrayList<>();
      for (String t : call.queryAll("t")) {
        if (!t.isEmpty()) {
          try {
            dev.jbuild.layercache.model.ImageReference.parse(t);
          } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("invalid reference format: " + t);
          }
          tags.add(t);
        }
      }
      List<String> platforms = new ArrayList<>();
      String platform = call.query("platform");
      if (platform != null && !platform.isBlank()) {
        for (String p : platform.split(",")) {
          platforms.add(p.strip());
        }
      }
      List<String> extraHosts = new ArrayList<>();
      for (String h : call.queryAll("extrahosts")) {
        for (String one : h.split(",")) {
          if (!one.isBlank()) {
            extraHosts.add(one.strip());
          }
        }
      }
      checkOutputs(call.query("outputs"));
      String shm = call.query("shmsize");
      return new BuildParams(
          tags,
          call.query("dockerfile"),
          stringMap(call.query("buildargs"), "buildargs"),
          call.query("target"),
          call.flag("nocache"),
          call.flag("pull"),
          stringMap(call.query("labels"), "labels"),
          platforms,
          strings(call.query("cachefrom"), "cachefrom"),
          call.query("networkmode"),
          extraHosts,
          shm == null || shm.equals("0") || shm.isEmpty() ? null : shm,
          ulimits(call.query("ulimits")),
          call.flag("q"));
    }

    /** What docker's classic builder has and jbuild's does not: a 4xx, never ignored. */
    private static void refuseUnsupported(ApiCall call) throws ApiException {
      if (call.flag("squash")) {
        throw ApiException.notImplemented("squash is not supported by jbuild");
      }
      String remote = call.query("remote");
      if (remote != null && !remote.isEmpty()) {
        throw ApiException.notImplemented(
            "remote build contexts are not supported through the API: send the context as a tar");
      }
      if ("2".equals(call.query("version"))) {
        throw ApiException.notImplemented(
            "BuildKit sessions (version=2) are not supported: use DOCKER_BUILDKIT=0");
      }
      for (String name :
          List.of("cpusetcpus", "cpusetmems", "cgroupparent", "isolation", "securityopt")) {
        for (String v : call.queryAll(name)) {
          if (!v.isEmpty() && !(name.equals("isolation") && v.equals("default"))) {
            throw ApiException.notImplemented(name + " is not supported by jbuild's builds");
          }
        }
      }
      for (String name : List.of("cpushares", "cpuquota", "cpuperiod", "memory", "memswap")) {
        String v = call.query(name);
        if (v != null
            && !v.isEmpty()
            && !v.equals("0")
            && !(name.equals("memswap") && v.equals("-1"))) {
          throw ApiException.notImplemented(name + " is not supported by jbuild's builds");
        }
      }
    }

    /** Only the store as the output (docker's classic builder has no other). */
    private static void checkOutputs(String json) throws ApiException {
      if (json == null || json.isBlank() || json.equals("null")) {
        return;
      }
      Json parsed = parse(json, "outputs");
      if (!(parsed instanceof JsonArray a)) {
        throw ApiException.badRequest("invalid outputs: not a list");
      }
      for (Json e : a.elements()) {
        String type = e instanceof JsonObject o ? o.string("Type", "") : "";
        if (!type.equals("image") && !type.equals("moby") && !type.equals("docker")) {
          throw ApiException.notImplemented(
              "outputs of type \""
                  + type
                  + "\" are not supported through the API (only the"
                  + " daemon's image store): use jbuild build --output");
        }
      }
    }

    private static Json parse(String json, String name) throws ApiException {
      try {
        return Json.parse(json);
      } catch (RuntimeException e) {
        throw ApiException.badRequest("invalid " + name + ": " + e.getMessage());
      }
    }

    /** A JSON object of strings; null values (an unset build argument) are left out. */
    private static Map<String, String> stringMap(String json, String name) throws ApiException {
      Map<String, String> out = new java.util.LinkedHashMap<>();
      if (json == null || json.isBlank() || json.equals("null")) {
        return out;
      }
      if (!(parse(json, name) instanceof JsonObject o)) {
        throw ApiException.badRequest("invalid " + name + ": not a JSON object");
      }
      for (String k : o.keys()) {
        if (o.get(k) instanceof JsonString s) {
          out.put(k, s.value());
        } else if (!(o.get(k) instanceof dev.jbuild.layercache.json.JsonNull)) {
          throw ApiException.badRequest("invalid " + name + ": " + k + " is not a string");
        }
      }
      return out;
    }

    private static List<String> strings(String json, String name) throws ApiException {
      if (json == null || json.isBlank() || json.equals("null")) {
        return List.of();
      }
      if (!(parse(json, name) instanceof JsonArray a)) {
        throw ApiException.badRequest("invalid " + name + ": not a list");
      }
      List<String> out = new ArrayList<>();
      for (Json e : a.elements()) {
        if (!(e instanceof JsonString s)) {
          throw ApiException.badRequest("invalid " + name + ": not a list of strings");
        }
        out.add(s.value());
      }
      return out;
    }

    /** docker's {@code [{"Name":"nofile","Soft":1024,"Hard":2048}]} as {@code nofile=1024:2048}. */
    private static List<String> ulimits(String json) throws ApiException {
      if (json == null || json.isBlank() || json.equals("null")) {
        return List.of();
      }
      if (!(parse(json, "ulimits") instanceof JsonArray a)) {
        throw ApiException.badRequest("invalid ulimits: not a list");
      }
      List<String> out = new ArrayList<>();
      for (Json e : a.elements()) {
        if (!(e instanceof JsonObject o) || o.string("Name", "").isEmpty()) {
          throw ApiException.badRequest("invalid ulimits: an entry without a Name");
        }
        Long soft = o.longValue("Soft");
        Long hard = o.longValue("Hard");
        out.add(
            o.string("Name") + "=" + (soft == null ? 0 : soft) + ":" + (hard == null ? 0 : hard));
      }
      return out;
    }
  }
}
