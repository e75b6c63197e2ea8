package dev.jbuild.serve;

import dev.jbuild.cli.ApiContainerRequests;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonNull;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.RunnerException;
import dev.jbuild.runner.container.Attach;
import dev.jbuild.runner.container.ContainerState;
import dev.jbuild.runner.container.ExecOptions;
import dev.jbuild.runner.container.Pty;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The API area of exec: {@code POST /containers/{id}/exec} records what to run, {@code POST
 * /exec/{id}/start} runs it in the container through the runner's {@code Containers.exec} ({@code
 * runc exec}) with its output framed on the hijacked connection (or detached), {@code GET
 * /exec/{id}/json} tells whether it runs and its exit code. Execs live in the daemon's memory (as
 * docker's), the last {@value #KEPT} of them.
 */
final class ExecRoutes implements Routes {
  private static final int KEPT = 1000;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Set<String> KNOWN =
      Set.of(
          "Cmd",
          "Env",
          "User",
          "WorkingDir",
          "AttachStdout",
          "AttachStderr",
          "AttachStdin",
          "Tty",
          "Privileged",
          "DetachKeys",
          "Detach",
          "ConsoleSize");

  private final ServeContext context;

  /** One exec: what it runs and where it stands (guarded by the map's lock). */
  private static final class Exec {
    final String id;
    final String container;
    final ExecOptions options;
    final boolean stdout;
    final boolean stderr;
    final boolean stdin;

    /** Its terminal while it runs (Tty), and the size to give it. */
    Pty pty;

    int rows;
    int cols;
    boolean running;
    boolean started;
    Integer exitCode;

    Exec(
        String id,
        String container,
        ExecOptions options,
        boolean stdout,
        boolean stderr,
        boolean stdin) {
      this.stdin = stdin;
      this.id = id;
      this.container = container;
      this.options = options;
      this.stdout = stdout;
      this.stderr = stderr;
    }
  }

  private final Map<String, Exec> execs =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Exec> eldest) {
          return size() > KEPT;
        }
      };

  ExecRoutes(ServeContext context) {
    this.context = context;
  }

  @Override
  public void register(Router router) {
    router
        .add("POST", "/containers/{id}/exec", this::create)
        .add("POST", "/exec/{id}/start", this::start)
        .add("POST", "/exec/{id}/resize", this::resize)
        .add("GET", "/exec/{id}/json", this::inspect);
  }

  private void create(ApiCall call) throws IOException, ApiException, InterruptedException {
    String ref = call.param("id");
    JsonObject body = call.jsonBody() instanceof JsonObject o ? o : JsonObject.EMPTY;
    for (String k : body.keys()) {
      if (!KNOWN.contains(k) && !ApiContainerRequests.isZero(body.get(k))) {
        throw ApiException.badRequest(k + ": not supported by jbuild's daemon");
      }
    }
    boolean tty = Boolean.TRUE.equals(body.bool("Tty"));
    boolean stdin = Boolean.TRUE.equals(body.bool("AttachStdin"));
    if (stdin && !tty) {
      throw ApiException.badRequest(
          "AttachStdin: standard input of an exec without a terminal (docker exec -i without -t)"
              + " is not supported by jbuild's daemon");
    }
    if (Boolean.TRUE.equals(body.bool("Privileged"))) {
      throw ApiException.badRequest("Privileged: jbuild does not run privileged processes");
    }
    List<String> cmd = body.strings("Cmd");
    if (cmd == null || cmd.isEmpty()) {
      throw ApiException.badRequest("No exec command specified");
    }
    ExecOptions options =
        new ExecOptions(
            cmd,
            emptyToNull(body.string("User", "")),
            emptyToNull(body.string("WorkingDir", "")),
            withValues(body.strings("Env")),
            tty,
            false);
    String container =
        ContainerEngine.with(
            context,
            (store, containers) -> {
              ContainerState s = containers.find(ref);
              if (s.status() == ContainerState.Status.PAUSED) {
                throw ApiException.conflict(
                    "Container "
                        + s.record().id()
                        + " is paused, unpause the container before exec");
              }
              if (s.status() != ContainerState.Status.RUNNING) {
                throw ApiException.conflict("Container " + s.record().id() + " is not running");
              }
              return s.record().id();
            });
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    String id = HexFormat.of().formatHex(b);
    Exec e =
        new Exec(
            id,
            container,
            options,
            !Boolean.FALSE.equals(body.bool("AttachStdout")),
            !Boolean.FALSE.equals(body.bool("AttachStderr")),
            stdin);
    JsonArray size = body.array("ConsoleSize");
    if (tty && size != null && size.elements().size() == 2) {
      e.rows = dimension(size.elements().get(0));
      e.cols = dimension(size.elements().get(1));
    }
    synchronized (execs) {
      execs.put(id, e);
    }
    context
        .events()
        .publish(
            "container", "exec_create: " + String.join(" ", cmd), container, Map.of("execID", id));
    call.json(201, JsonObject.builder().put("Id", id).build());
  }

  /** {@code -e K} without a value takes the daemon's, which a client never meant: refused. */
  private static List<String> withValues(List<String> env) throws ApiException {
    if (env == null) {
      return List.of();
    }
    for (String e : env) {
      if (e.indexOf('=') <= 0) {
        throw ApiException.badRequest("Env \"" + e + "\": use K=V");
      }
    }
    return env;
  }

  private Exec get(String id) throws ApiException {
    synchronized (execs) {
      Exec e = execs.get(id);
      if (e == null) {
        throw ApiException.notFound("No such exec instance: " + id);
      }
      return e;
    }
  }

  private void start(ApiCall call) throws IOException, ApiException, InterruptedException {
    Exec e = get(call.param("id"));
    JsonObject body = call.jsonBody() instanceof JsonObject o ? o : JsonObject.EMPTY;
    boolean detach = Boolean.TRUE.equals(body.bool("Detach"));
    synchronized (execs) {
      if (e.started) {
        throw ApiException.conflict("Exec " + e.id + " has already been started");
      }
      e.started = true;
      e.running = true;
    }
    context
        .events()
        .publish(
            "container",
            "exec_start: " + String.join(" ", e.options.argv()),
            e.container,
            Map.of("execID", e.id));
    if (detach) {
      ExecOptions o =
          new ExecOptions(
              e.options.argv(),
              e.options.user(),
              e.options.workdir(),
              e.options.env(),
              false,
              true);
      try {
        ContainerEngine.with(
            context,
            (store, containers) ->
                containers.exec(
                    e.container,
                    o,
                    Attach.streams(
                        false, OutputStream.nullOutputStream(), OutputStream.nullOutputStream())));
      } finally {
        finish(e, null);
      }
      call.text(200, "application/json", "");
      return;
    }
    if (e.options.tty()) {
      startOnTerminal(call, e);
      return;
    }
    int code = 0;
    try (RawStream raw = call.hijack(ContainerStreams.RAW_STREAM)) {
      OutputStream out =
          e.stdout
              ? StdStreams.framed(raw.out(), StdStreams.STDOUT)
              : OutputStream.nullOutputStream();
      OutputStream err =
          e.stderr
              ? StdStreams.framed(raw.out(), StdStreams.STDERR)
              : OutputStream.nullOutputStream();
      try {
        code =
            ContainerEngine.with(
                context,
                (store, containers) -> {
                  try {
                    return containers.exec(e.container, e.options, Attach.streams(false, out, err));
                  } catch (dev.jbuild.runner.container.ContainerNotFoundException ex) {
                    throw ex;
                  } catch (RunnerException ex) {
                    // the runtime could not run it (not found: 127, not executable: 126)
                    err.write(
                        ("OCI runtime exec failed: " + ex.getMessage() + "\n")
                            .getBytes(StandardCharsets.UTF_8));
                    return ex.exitCode();
                  }
                });
      } catch (ApiException ex) {
        code = 126;
        err.write((ex.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
      }
      finish(e, code);
      raw.out().flush();
    } finally {
      finish(e, code);
    }
  }

  /**
   * An exec with a terminal: {@code runc exec --tty} on a pty the daemon holds ({@link Pty}); its
   * output raw on the hijacked connection (no multiplexing headers, as docker sends a terminal's),
   * the client's input to the pty.
   */
  private void startOnTerminal(ApiCall call, Exec e)
      throws IOException, ApiException, InterruptedException {
    int code = 126;
    try (RawStream raw = call.hijack(ContainerStreams.RAW_STREAM)) {
      OutputStream out = raw.out();
      try (Pty pty = openPty(e)) {
        Thread copier =
            Thread.ofPlatform()
                .daemon()
                .name("exec-output-" + e.id)
                .start(
                    () -> {
                      byte[] buf = new byte[8192];
                      try {
                        int n;
                        while ((n = pty.read(buf)) > 0) {
                          if (e.stdout || e.stderr) {
                            synchronized (out) {
                              out.write(buf, 0, n);
                              out.flush();
                            }
                          }
                        }
                      } catch (IOException ex) {
                        // the client went away: the output is dropped
                      }
                    });
        if (e.stdin) {
          Thread.ofPlatform()
              .daemon()
              .name("exec-input-" + e.id)
              .start(
                  () -> {
                    byte[] buf = new byte[4096];
                    try {
                      int n;
                      while ((n = raw.in().read(buf)) > 0) {
                        pty.write(buf, 0, n);
                      }
                    } catch (IOException ex) {
                      // the exec ended or the client went away
                    }
                  });
        }
        String[] failure = {null};
        try {
          code =
              ContainerEngine.with(
                  context,
                  (store, containers) -> {
                    try {
                      return containers.execOnTerminal(e.container, e.options, pty);
                    } catch (dev.jbuild.runner.container.ContainerNotFoundException ex) {
                      throw ex;
                    } catch (RunnerException ex) {
                      // the runtime could not run it (not found: 127, not executable: 126)
                      failure[0] = ex.getMessage();
                      return ex.exitCode();
                    }
                  });
        } catch (ApiException ex) {
          failure[0] = ex.getMessage();
        }
        pty.slaveDone();
        copier.join(5000);
        synchronized (e) {
          e.pty = null;
        }
        if (failure[0] != null) {
          synchronized (out) {
            out.write(
                ("OCI runtime exec failed: " + failure[0] + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
          }
        }
      }
      finish(e, code);
      out.flush();
    } finally {
      finish(e, code);
    }
  }

  private static Pty openPty(Exec e) throws IOException {
    synchronized (e) {
      e.pty = Pty.open(e.rows, e.cols);
      return e.pty;
    }
  }

  private static int dimension(Json j) {
    return j instanceof dev.jbuild.layercache.json.JsonNumber n
        ? (int) Math.max(0, Math.min(0xffff, n.longValue()))
        : 0;
  }

  private void finish(Exec e, Integer code) {
    synchronized (execs) {
      if (e.running) {
        e.running = false;
        e.exitCode = code;
      }
    }
  }

  /** {@code POST /exec/{id}/resize?h=&w=}: the size of its terminal (kept for one not started). */
  private void resize(ApiCall call) throws IOException, ApiException {
    Exec e = get(call.param("id"));
    int rows = ContainerRoutes.size(call, "h");
    int cols = ContainerRoutes.size(call, "w");
    synchronized (e) {
      if (rows > 0 && cols > 0) {
        e.rows = rows;
        e.cols = cols;
        if (e.pty != null) {
          e.pty.resize(rows, cols);
        }
      }
    }
    call.text(200, "text/plain", "");
  }

  private void inspect(ApiCall call) throws IOException, ApiException {
    Exec e = get(call.param("id"));
    JsonObject.Builder b;
    synchronized (execs) {
      b =
          JsonObject.builder()
              .put("ID", e.id)
              .put("Running", e.running)
              .put(
                  "ExitCode",
                  e.exitCode == null ? JsonNull.INSTANCE : Json.of(e.exitCode.longValue()))
              .put(
                  "ProcessConfig",
                  JsonObject.builder()
                      .put("tty", e.options.tty())
                      .put("entrypoint", e.options.argv().getFirst())
                      .put(
                          "arguments",
                          Json.ofStrings(e.options.argv().subList(1, e.options.argv().size())))
                      .put("privileged", false)
                      .put("user", e.options.user() == null ? "" : e.options.user())
                      .build())
              .put("OpenStdin", e.stdin)
              .put("OpenStdout", e.stdout)
              .put("OpenStderr", e.stderr)
              .put("CanRemove", false)
              .put("ContainerID", e.container)
              .put("DetachKeys", "")
              .put("Pid", 0);
    }
    call.json(200, b.build());
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
