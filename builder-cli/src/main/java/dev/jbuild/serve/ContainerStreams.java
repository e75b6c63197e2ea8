package dev.jbuild.serve;

import dev.jbuild.layercache.json.JsonNull;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.runner.container.ContainerLogs;
import dev.jbuild.runner.container.ContainerState;
import dev.jbuild.runner.container.Containers;
import dev.jbuild.runner.container.TtyConsole;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The long answers of the container area: {@code attach} (a hijacked connection), {@code logs} and
 * {@code wait}. Containers the daemon runs are detached under their monitor, which writes their
 * output to the json-file log; attach follows that log from the moment of the request, so a client
 * that attaches before {@code start} (docker run) sees everything the container writes.
 */
final class ContainerStreams {
  static final String RAW_STREAM = "application/vnd.docker.raw-stream";
  private static final long POLL_MILLIS = 25;

  /** How often a wait looks at a running container (its end is seen within this). */
  private static final long WAIT_POLL_MILLIS = 100;

  /** How often a wait checks that its client is still there. */
  private static final long PROBE_NANOS = 5_000_000_000L;

  private final ServeContext context;
  private final AutoRemovals auto;

  ContainerStreams(ServeContext context, AutoRemovals auto) {
    this.context = context;
    this.auto = auto;
  }

  /** {@code POST /containers/{id}/attach?stream&stdout&stderr&logs}. */
  void attach(ApiCall call) throws IOException, ApiException, InterruptedException {
    String ref = call.param("id");
    Instant from = Instant.now();
    String id =
        ContainerEngine.with(context, (store, containers) -> containers.find(ref).record().id());
    boolean stdout = call.flag("stdout");
    boolean stderr = call.flag("stderr");
    boolean logs = call.flag("logs");
    boolean stream = call.flag("stream");
    TtyConsole.Settings stdio =
        ContainerEngine.with(context, (store, containers) -> containers.stdio(id));
    byte[] detachKeys = DetachKeys.parse(call.query("detachKeys"));
    auto.attach(id);
    try (RawStream raw = call.hijack(RAW_STREAM)) {
      context.events().publish("container", "attach", id, Map.of());
      ContainerLogs.Sink sink =
          stdio.tty() ? rawSink(raw.out(), stdout || stderr) : sink(raw.out(), stdout, stderr);
      Following following = new Following(Thread.currentThread());
      if (call.flag("stdin") && stream && stdio.tty() && stdio.openStdin()) {
        Thread.ofPlatform()
            .daemon()
            .name("attach-stdin-" + id)
            .start(() -> feed(id, raw, following, new DetachKeys(detachKeys)));
      }
      try {
        ContainerEngine.with(
            context,
            (store, containers) -> {
              if (logs) {
                ContainerLogs.read(
                    containers, id, new ContainerLogs.Options(false, -1, null, false), sink);
              }
              if (stream) {
                if (awaitStarted(containers, id)) {
                  ContainerLogs.read(
                      containers, id, new ContainerLogs.Options(true, -1, from, false), sink);
                }
              }
              return null;
            });
      } catch (InterruptedException | IOException e) {
        if (!following.inputEnded()) {
          throw e;
        }
      } finally {
        following.done();
      }
      raw.out().flush();
    } finally {
      auto.detach(id);
    }
  }

  /**
   * The thread that follows a container's output for an attach with a terminal, which ends when the
   * client's input ends (docker: with a TTY the end of the client's stdin closes the attach's
   * output; the container's input stays open, StdinOnce closes it only without a TTY).
   */
  private static final class Following {
    private Thread thread;
    private boolean ended;

    Following(Thread thread) {
      this.thread = thread;
    }

    /** The client's input ended: the follower stops (interrupted while it follows). */
    synchronized void endInput() {
      ended = true;
      if (thread != null) {
        thread.interrupt();
      }
    }

    synchronized boolean inputEnded() {
      return ended;
    }

    /** The follower is done: no interrupt comes any more, and one that came is cleared. */
    synchronized void done() {
      if (ended && thread != null) {
        Thread.interrupted();
      }
      thread = null;
    }
  }

  /**
   * Copies the client's input to the container's terminal once its monitor serves it; its end, the
   * detach keys, or the client gone end the attach, the container goes on.
   */
  private void feed(String id, RawStream raw, Following following, DetachKeys detach) {
    try {
      // the docker CLI attaches before the start: wait for the monitor's console (one open store)
      TtyConsole.Writer console =
          ContainerEngine.with(
              context,
              (store, containers) -> {
                while (true) {
                  Optional<ContainerState> s = containers.current(id);
                  if (s.isEmpty()
                      || s.get().status() == ContainerState.Status.EXITED
                      || s.get().status() == ContainerState.Status.DEAD) {
                    throw new IOException("the container is not running");
                  }
                  Optional<TtyConsole.Writer> c = containers.console(id);
                  if (c.isPresent()) {
                    return c.get();
                  }
                  Thread.sleep(POLL_MILLIS);
                }
              });
      try (TtyConsole.Writer c = console) {
        byte[] buf = new byte[4096];
        int n;
        try {
          while (!detach.detached() && (n = raw.in().read(buf)) > 0) {
            byte[] typed = detach.filter(buf, n);
            c.data(typed, 0, typed.length);
          }
        } catch (IOException e) {
          // the client went away
        }
        following.endInput();
      }
    } catch (IOException | ApiException e) {
      // the container stopped or the client went away: its input ends
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A terminal's output: raw bytes, no multiplexing headers. */
  private static ContainerLogs.Sink rawSink(OutputStream raw, boolean wanted) {
    return (isErr, text) -> {
      if (wanted) {
        raw.write(text.getBytes(StandardCharsets.UTF_8));
        raw.flush();
      }
    };
  }

  /** Waits while a container is only created (attached before its start); false once it is gone. */
  private static boolean awaitStarted(Containers containers, String id)
      throws IOException, InterruptedException {
    while (true) {
      Optional<ContainerState> s = containers.current(id);
      if (s.isEmpty()) {
        return false;
      }
      if (s.get().status() != ContainerState.Status.CREATED) {
        return true;
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  /** {@code GET /containers/{id}/logs}: framed (docker's multiplexing: no TTY here). */
  void logs(ApiCall call) throws IOException, ApiException, InterruptedException {
    String ref = call.param("id");
    boolean stdout = call.flag("stdout");
    boolean stderr = call.flag("stderr");
    if (!stdout && !stderr) {
      throw ApiException.badRequest("Bad parameters: you must choose at least one stream");
    }
    // docker's until: unix seconds (the CLI turns a date or a relative duration into them)
    Instant until = null;
    String u = call.query("until");
    if (u != null && !u.isEmpty() && !u.equals("0")) {
      until = unixTime(u);
    }
    int tail = -1;
    String t = call.query("tail");
    if (t != null && !t.isEmpty() && !t.equals("all")) {
      try {
        tail = Integer.parseInt(t);
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("invalid tail: " + t);
      }
    }
    Instant since = null;
    String s = call.query("since");
    if (s != null && !s.isEmpty() && !s.equals("0")) {
      since = unixTime(s);
    }
    ContainerLogs.Options o =
        new ContainerLogs.Options(call.flag("follow"), tail, since, call.flag("timestamps"), until);
    String id =
        ContainerEngine.with(context, (store, containers) -> containers.find(ref).record().id());
    boolean tty = ContainerEngine.with(context, (store, containers) -> containers.stdio(id).tty());
    auto.attach(id);
    try (OutputStream out = call.stream(200, RAW_STREAM)) {
      // a terminal's output is one raw stream, as docker logs it
      ContainerLogs.Sink sink = tty ? rawSink(out, true) : sink(out, stdout, stderr);
      ContainerEngine.with(
          context,
          (store, containers) -> {
            ContainerLogs.read(containers, id, o, sink);
            return null;
          });
    } finally {
      auto.detach(id);
    }
  }

  /** docker's {@code since}: unix seconds, with an optional fraction. */
  static Instant unixTime(String s) throws ApiException {
    try {
      int dot = s.indexOf('.');
      long secs = Long.parseLong(dot < 0 ? s : s.substring(0, dot));
      long nanos = 0;
      if (dot >= 0) {
        String f = (s.substring(dot + 1) + "000000000").substring(0, 9);
        nanos = Long.parseLong(f);
      }
      return Instant.ofEpochSecond(secs, nanos);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("invalid time: " + s);
    }
  }

  private static ContainerLogs.Sink sink(OutputStream raw, boolean stdout, boolean stderr) {
    OutputStream out = StdStreams.framed(raw, StdStreams.STDOUT);
    OutputStream err = StdStreams.framed(raw, StdStreams.STDERR);
    return (isErr, text) -> {
      if (isErr ? stderr : stdout) {
        (isErr ? err : out).write(text.getBytes(StandardCharsets.UTF_8));
      }
    };
  }

  /**
   * {@code POST /containers/{id}/wait?condition=not-running|next-exit|removed}. The headers go out
   * at once (the docker CLI starts the container only once its wait is answered), the status when
   * the condition holds.
   */
  void await(ApiCall call) throws IOException, ApiException, InterruptedException {
    String ref = call.param("id");
    String condition = call.query("condition");
    if (condition == null || condition.isEmpty()) {
      condition = "not-running";
    }
    if (!condition.equals("not-running")
        && !condition.equals("next-exit")
        && !condition.equals("removed")) {
      throw ApiException.badRequest("invalid condition: \"" + condition + "\"");
    }
    String cond = condition;
    ContainerState first =
        ContainerEngine.with(context, (store, containers) -> containers.find(ref));
    String id = first.record().id();
    OutputStream out = call.stream(200, "application/json");
    Integer code =
        ContainerEngine.with(
            context, (store, containers) -> awaitCondition(containers, id, first, cond, out));
    if (code == null) {
      return; // the client went away (docker run -d leaves its wait)
    }
    out.write(
        JsonObject.builder()
            .put("StatusCode", code)
            .put("Error", JsonNull.INSTANCE)
            .build()
            .toBytes());
    out.write('\n');
    out.close();
  }

  /**
   * Polls until the condition holds: the status code, or null once the client is gone (a blank
   * written now and then, which JSON readers skip before the value, finds that out).
   */
  private Integer awaitCondition(
      Containers containers, String id, ContainerState first, String cond, OutputStream out)
      throws IOException, InterruptedException {
    long nextProbe = System.nanoTime() + PROBE_NANOS;
    Instant firstStart = first.run() == null ? null : first.run().startedAt();
    boolean needNewRun = !cond.equals("not-running") && !first.isRunning();
    int last = first.status() == ContainerState.Status.EXITED ? first.exitCode() : 0;
    while (true) {
      Optional<ContainerState> now = containers.current(id);
      if (now.isEmpty()) {
        return auto.exitCodeOfRemoved(id).orElse(last);
      }
      ContainerState s = now.get();
      Instant started = s.run() == null ? null : s.run().startedAt();
      boolean newRun = started != null && !started.equals(firstStart);
      if (needNewRun && (newRun || s.isRunning())) {
        needNewRun = false;
      }
      if (s.status() == ContainerState.Status.EXITED) {
        last = s.exitCode();
      } else if (s.status() == ContainerState.Status.DEAD) {
        last = 137;
      }
      boolean stopped = !s.isRunning() && !needNewRun;
      if (stopped && !cond.equals("removed")) {
        return last;
      }
      if (System.nanoTime() > nextProbe) {
        nextProbe = System.nanoTime() + PROBE_NANOS;
        try {
          out.write(' ');
          out.flush();
        } catch (IOException e) {
          return null;
        }
      }
      Thread.sleep(s.isRunning() ? WAIT_POLL_MILLIS : POLL_MILLIS);
    }
  }
}
