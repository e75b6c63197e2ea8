package dev.jbuild.serve;

import dev.jbuild.cli.ApiContainerRequests;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.StoreLock;
import dev.jbuild.runner.container.ContainerState;
import dev.jbuild.runner.container.Containers;
import dev.jbuild.runner.container.RunOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The API area of containers: create, start, stop, restart, kill, wait, attach, logs, json,
 * {id}/json, top, rename, pause, unpause, resize, DELETE, prune. Handlers call the runner's {@link
 * Containers}, as the CLI's commands do; every container runs detached under its monitor, so it
 * outlives the request and the daemon (a restarted daemon finds it in the store).
 */
final class ContainerRoutes implements Routes {
  private final ServeContext context;
  private final AutoRemovals auto;
  private final ContainerStreams streams;
  private final ExitWatch exits;

  ContainerRoutes(ServeContext context) {
    this.context = context;
    this.auto = new AutoRemovals(context);
    this.streams = new ContainerStreams(context, auto);
    this.exits = new ExitWatch(context, auto);
    exits.watchRunning();
  }

  @Override
  public void register(Router router) {
    router
        .add("POST", "/containers/create", this::create)
        .add("GET", "/containers/json", this::list)
        .add("POST", "/containers/prune", this::prune)
        .add("GET", "/containers/{id}/json", this::inspect)
        .add("GET", "/containers/{id}/top", this::top)
        .add("GET", "/containers/{id}/logs", streams::logs)
        .add("POST", "/containers/{id}/start", this::start)
        .add("POST", "/containers/{id}/stop", this::stop)
        .add("POST", "/containers/{id}/restart", this::restart)
        .add("POST", "/containers/{id}/kill", this::kill)
        .add("POST", "/containers/{id}/wait", streams::await)
        .add("POST", "/containers/{id}/attach", streams::attach)
        .add("POST", "/containers/{id}/rename", this::rename)
        .add("POST", "/containers/{id}/pause", call -> pause(call, true))
        .add("POST", "/containers/{id}/unpause", call -> pause(call, false))
        .add("POST", "/containers/{id}/resize", this::resize)
        .add("DELETE", "/containers/{id}", this::remove);
  }

  private void create(ApiCall call) throws IOException, ApiException, InterruptedException {
    JsonObject body = call.jsonBody() instanceof JsonObject o ? o : null;
    if (body == null) {
      throw ApiException.badRequest("the create body must be a JSON object");
    }
    String image = body.string("Image", "");
    if (image.isEmpty()) {
      throw ApiException.badRequest("Config.Image: an image is required");
    }
    String name = call.query("name");
    if (name != null && name.startsWith("/")) {
      name = name.substring(1);
    }
    if (call.query("platform") != null && !call.query("platform").isEmpty()) {
      throw ApiException.badRequest(
          "platform: not supported by jbuild's daemon (the host's image runs)");
    }
    String given = name;
    // parsed under the engine's error mapping: a field jbuild cannot honour is a 400 naming it
    RunOptions options =
        ContainerEngine.with(
            context, (store, containers) -> ApiContainerRequests.runOptions(body, given));
    boolean autoRemove = options.autoRemove();
    // the daemon removes --rm containers itself (AutoRemovals): the monitor must not
    RunOptions kept = autoRemove ? withoutAutoRemove(options) : options;
    String id =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              Containers.Created created;
              // a shared lock keeps prune away until the container's gcroot pins the image
              try (StoreLock _ = store.lockShared()) {
                Image img = ApiContainerRequests.image(store, image);
                created = containers.create(image, img, kept);
              }
              dev.jbuild.runner.container.TtyConsole.Settings stdio =
                  ApiContainerRequests.stdio(body);
              if (stdio.tty()) {
                containers.setStdio(created.record().id(), stdio);
              }
              Map<String, String> labels = ApiContainerRequests.labels(body);
              if (!labels.isEmpty()) {
                containers.setLabels(created.record().id(), labels);
              }
              return containers.leaveCreated(created);
            });
    if (autoRemove) {
      auto.mark(id);
    }
    context.events().publish("container", "create", id, Map.of("image", image));
    call.json(
        201, JsonObject.builder().put("Id", id).put("Warnings", new JsonArray(List.of())).build());
  }

  private static RunOptions withoutAutoRemove(RunOptions o) {
    return o.withAutoRemove(false);
  }

  private void list(ApiCall call) throws IOException, ApiException, InterruptedException {
    boolean all = call.flag("all");
    Map<String, List<String>> filters = Filters.parse(call.query("filters")).asMap();
    int limit = -1;
    if (call.query("limit") != null && !call.query("limit").isEmpty()) {
      try {
        limit = Integer.parseInt(call.query("limit"));
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("invalid limit: " + call.query("limit"));
      }
    }
    int max = limit;
    List<Json> rows =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              List<Json> out = new ArrayList<>();
              Instant now = Instant.now();
              for (ContainerState s : containers.list()) {
                if ((!all && max < 0 && !s.isRunning())
                    || !ContainerViews.matches(containers, s, filters)) {
                  continue;
                }
                if (max >= 0 && out.size() >= max) {
                  break;
                }
                out.add(ContainerViews.row(containers, s, now, auto));
              }
              return out;
            });
    call.json(200, new JsonArray(rows));
  }

  private void inspect(ApiCall call) throws IOException, ApiException, InterruptedException {
    String ref = call.param("id");
    call.json(
        200,
        ContainerEngine.with(
            context, (store, containers) -> ContainerViews.inspect(containers, ref, auto)));
  }

  private void top(ApiCall call) throws IOException, ApiException, InterruptedException {
    String ref = call.param("id");
    String args = call.query("ps_args");
    List<String> psArgs = List.of("-f");
    if (args != null && !args.isBlank()) {
      if (!args.matches("[-a-zA-Z, ]+")) {
        throw ApiException.badRequest("ps_args: only ps options (letters, -, commas)");
      }
      psArgs = List.of(args.strip().split(" +"));
    }
    List<Long> pids =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              ContainerState s = containers.find(ref);
              if (!s.isRunning()) {
                throw ApiException.conflict("Container " + s.record().id() + " is not running");
              }
              return containers.pids(ref);
            });
    List<String> cmd = new ArrayList<>(List.of("ps"));
    cmd.addAll(psArgs);
    cmd.add("-p");
    cmd.add(String.join(",", pids.stream().map(String::valueOf).toList()));
    Process p =
        new ProcessBuilder(cmd)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
            .redirectErrorStream(true)
            .start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0 && pids.isEmpty()) {
      text = text.lines().findFirst().orElse("PID CMD");
    }
    List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
    if (lines.isEmpty()) {
      throw ApiException.serverError("ps printed nothing");
    }
    String[] titles = lines.getFirst().strip().split("\\s+");
    List<Json> procs = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.strip().split("\\s+", titles.length);
      procs.add(Json.ofStrings(List.of(f)));
    }
    call.json(
        200,
        JsonObject.builder()
            .put("Titles", Json.ofStrings(List.of(titles)))
            .put("Processes", new JsonArray(procs))
            .build());
  }

  private void start(ApiCall call) throws IOException, ApiException, InterruptedException {
    String ref = call.param("id");
    if (call.query("checkpoint") != null) {
      throw ApiException.badRequest("checkpoint: not supported by jbuild's daemon");
    }
    String id =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              String full = containers.find(ref).record().id();
              if (!containers.start(full)) {
                throw ApiException.notModified();
              }
              return full;
            });
    context.events().publish("container", "start", id, Map.of());
    exits.watch(id);
    call.noContent();
  }

  /** {@code ?t=} seconds (negative: for ever); null when not given: the container's own. */
  private Duration timeout(ApiCall call) throws ApiException {
    String t = call.query("t");
    if (t == null || t.isEmpty()) {
      return null;
    }
    try {
      long secs = Long.parseLong(t);
      return secs < 0 ? Duration.ofDays(365) : Duration.ofSeconds(secs);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid t: " + t);
    }
  }

  /** {@code ?signal=} checked (Docker's names and numbers), else {@code otherwise}. */
  private static String signal(ApiCall call, String otherwise) throws ApiException {
    String signal = call.query("signal");
    if (signal == null || signal.isEmpty()) {
      return otherwise;
    }
    try {
      dev.jbuild.runner.container.Signals.number(signal);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    return signal;
  }

  private void stop(ApiCall call) throws IOException, ApiException, InterruptedException {
    String ref = call.param("id");
    Duration timeout = timeout(call);
    String signal = signal(call, null);
    String id =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              String full = containers.find(ref).record().id();
              if (!containers.stop(full, timeout, signal)) {
                throw ApiException.notModified();
              }
              return full;
            });
    context.events().publish("container", "stop", id, Map.of());
    call.noContent();
  }

  private void restart(ApiCall call) throws IOException, ApiException, InterruptedException {
    String ref = call.param("id");
    Duration timeout = timeout(call);
    String signal = signal(call, null);
    String id =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              String full = containers.find(ref).record().id();
              containers.restart(full, timeout, signal);
              return full;
            });
    context.events().publish("container", "restart", id, Map.of());
    exits.watch(id);
    call.noContent();
  }

  private void kill(ApiCall call) throws IOException, ApiException, InterruptedException {
    String ref = call.param("id");
    String sig = signal(call, "KILL");
    String id =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              ContainerState s = containers.find(ref);
              if (!s.isRunning()) {
                throw ApiException.conflict("Container " + s.record().id() + " is not running");
              }
              containers.kill(s.record().id(), sig);
              return s.record().id();
            });
    context.events().publish("container", "kill", id, Map.of("signal", sig));
    call.noContent();
  }

  private void rename(ApiCall call) throws IOException, ApiException, InterruptedException {
    String ref = call.param("id");
    String name = call.query("name");
    if (name == null || name.isEmpty()) {
      throw ApiException.badRequest("name: a new name is required");
    }
    String id =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              String full = containers.find(ref).record().id();
              containers.rename(full, name.startsWith("/") ? name.substring(1) : name);
              return full;
            });
    context.events().publish("container", "rename", id, Map.of("name", name));
    call.noContent();
  }

  private void pause(ApiCall call, boolean pause)
      throws IOException, ApiException, InterruptedException {
    String ref = call.param("id");
    String id =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              String full = containers.find(ref).record().id();
              containers.pause(full, pause);
              return full;
            });
    context.events().publish("container", pause ? "pause" : "unpause", id, Map.of());
    call.noContent();
  }

  /**
   * {@code POST /containers/{id}/resize?h=&w=}: the new size goes to the monitor, which sets it on
   * the container's pty (TIOCSWINSZ); a container without a terminal accepts and ignores it, as
   * docker does.
   */
  private void resize(ApiCall call) throws IOException, ApiException, InterruptedException {
    String ref = call.param("id");
    int rows = size(call, "h");
    int cols = size(call, "w");
    ContainerEngine.with(
        context,
        (store, containers) -> {
          ContainerState s = containers.find(ref);
          String id = s.record().id();
          if (!containers.stdio(id).tty()) {
            return null;
          }
          if (!s.isRunning()) {
            throw ApiException.conflict("Container " + id + " is not running");
          }
          var console = containers.console(id);
          if (console.isEmpty()) {
            throw ApiException.conflict("Container " + id + " is not running");
          }
          try (var c = console.get()) {
            c.resize(rows, cols);
          }
          return null;
        });
    call.text(200, "text/plain", "");
  }

  /** A window dimension of a resize call: a number from 0 to 65535. */
  static int size(ApiCall call, String name) throws ApiException {
    String v = call.query(name);
    if (v == null || v.isEmpty()) {
      return 0;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 0 || n > 0xffff) {
        throw ApiException.badRequest(name + ": out of range: " + v);
      }
      return n;
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name + ": not a number: " + v);
    }
  }

  private void remove(ApiCall call) throws IOException, ApiException, InterruptedException {
    String ref = call.param("id");
    boolean force = call.flag("force");
    boolean volumes = call.flag("v");
    if (call.flag("link")) {
      throw ApiException.badRequest("link: jbuild has no container links");
    }
    String id =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              ContainerState s = containers.find(ref);
              if (s.isRunning() && !force) {
                throw ApiException.conflict(
                    "You cannot remove a running container "
                        + s.record().id()
                        + ". Stop the container before attempting removal or force remove");
              }
              containers.remove(s.record().id(), force, volumes);
              return s.record().id();
            });
    context.events().publish("container", "destroy", id, Map.of());
    call.noContent();
  }

  private void prune(ApiCall call) throws IOException, ApiException, InterruptedException {
    if (!Filters.parse(call.query("filters")).asMap().isEmpty()) {
      throw ApiException.badRequest("filters: container prune takes none in jbuild's daemon");
    }
    List<String> removed = ContainerEngine.with(context, (store, containers) -> containers.prune());
    for (String id : removed) {
      context.events().publish("container", "destroy", id, Map.of());
    }
    call.json(
        200,
        JsonObject.builder()
            .put("ContainersDeleted", Json.ofStrings(removed))
            .put("SpaceReclaimed", 0)
            .build());
  }
}
