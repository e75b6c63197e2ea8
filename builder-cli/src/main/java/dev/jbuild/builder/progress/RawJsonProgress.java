package dev.jbuild.builder.progress;

import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Digest;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code --progress rawjson}: one JSON object per line and per event, in the shape of BuildKit's
 * {@code client.SolveStatus} that buildx prints: {@code vertexes} (digest, name, started,
 * completed, cached, error), {@code logs} (vertex, stream, base64 data, timestamp), {@code
 * statuses} (a layer a FROM pulls: id, vertex, name, current, total, timestamp, started, completed;
 * at most one per {@link #STATUS_INTERVAL} per layer, and its start and end). A step's vertex
 * digest is a hash of its number and title; a line that belongs to no step (writing the image,
 * naming it, warnings) is a vertex of its own, started and completed at once.
 */
final class RawJsonProgress implements Progress {
  private final PrintWriter out;
  private final Clock clock;
  private final Map<Integer, Instant> started = new ConcurrentHashMap<>();
  private int messages;

  /** A status is shown at most this often per transfer (and always at its start and end). */
  static final Duration STATUS_INTERVAL = Duration.ofMillis(100);

  private final Map<String, Instant> statusStarted = new ConcurrentHashMap<>();
  private final Map<String, Instant> statusShown = new ConcurrentHashMap<>();

  RawJsonProgress(PrintWriter out, Clock clock) {
    this.out = out;
    this.clock = clock;
  }

  static String digest(String what) {
    return Digest.sha256(what.getBytes(StandardCharsets.UTF_8)).toString();
  }

  private static String digest(Step step) {
    return digest("jbuild step " + step.id() + " " + step.title());
  }

  private JsonObject.Builder vertex(Step step) {
    return JsonObject.builder().put("digest", digest(step)).put("name", step.title());
  }

  private void emit(String key, JsonObject item) {
    out.println(JsonObject.builder().put(key, JsonArray.of(item)).build().toString());
    out.flush();
  }

  @Override
  public synchronized void started(Step step) {
    Instant now = clock.instant();
    started.put(step.id(), now);
    emit("vertexes", vertex(step).put("started", now.toString()).build());
  }

  @Override
  public synchronized void cached(Step step) {
    Instant now = clock.instant();
    Instant t0 = started.getOrDefault(step.id(), now);
    emit(
        "vertexes",
        vertex(step)
            .put("started", t0.toString())
            .put("completed", now.toString())
            .put("cached", true)
            .build());
  }

  @Override
  public synchronized void output(Step step, String line) {
    emit(
        "logs",
        JsonObject.builder()
            .put("vertex", digest(step))
            .put("stream", 1)
            .put(
                "data",
                Base64.getEncoder().encodeToString((line + "\n").getBytes(StandardCharsets.UTF_8)))
            .put("timestamp", clock.instant().toString())
            .build());
  }

  @Override
  public synchronized void finished(Step step, Duration took, String why) {
    Instant now = clock.instant();
    emit(
        "vertexes",
        vertex(step)
            .put("started", started.getOrDefault(step.id(), now.minus(took)).toString())
            .put("completed", now.toString())
            .build());
  }

  @Override
  public synchronized void failed(Step step, Duration took, String message) {
    Instant now = clock.instant();
    emit(
        "vertexes",
        vertex(step)
            .put("started", started.getOrDefault(step.id(), now.minus(took)).toString())
            .put("completed", now.toString())
            .put("error", message)
            .build());
  }

  @Override
  public synchronized void message(String line) {
    Instant now = clock.instant();
    emit(
        "vertexes",
        JsonObject.builder()
            .put("digest", digest("jbuild message " + (++messages) + " " + line))
            .put("name", line)
            .put("started", now.toString())
            .put("completed", now.toString())
            .build());
  }

  @Override
  public synchronized void status(Step step, String id, long current, long total, boolean done) {
    Instant now = clock.instant();
    String key = step.id() + " " + id;
    Instant t0 = statusStarted.putIfAbsent(key, now);
    Instant last = statusShown.get(key);
    if (!done && t0 != null && last != null && now.isBefore(last.plus(STATUS_INTERVAL))) {
      return;
    }
    statusShown.put(key, now);
    JsonObject.Builder b =
        JsonObject.builder()
            .put("id", id)
            .put("vertex", digest(step))
            .put("name", id)
            .put("current", current);
    if (total >= 0) {
      b.put("total", total);
    }
    b.put("timestamp", now.toString()).put("started", (t0 == null ? now : t0).toString());
    if (done) {
      b.put("completed", now.toString());
    }
    emit("statuses", b.build());
  }

  @Override
  public synchronized void close() {
    out.flush();
  }
}
