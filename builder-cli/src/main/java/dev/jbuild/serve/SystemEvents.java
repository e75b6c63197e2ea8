package dev.jbuild.serve;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /events}: the event bus as docker's stream of JSON objects, one per line. {@code
 * since} replays what the bus still holds from that time, {@code until} ends the stream at that
 * time (both Unix seconds, with an optional fraction), {@code filters} keeps events by type, event
 * (action), image, container, volume, network and label.
 */
final class SystemEvents {
  private SystemEvents() {}

  static void serve(Events events, ApiCall call) throws IOException, ApiException {
    Double since = time(call.query("since"), "since");
    Double until = time(call.query("until"), "until");
    Filters filters = Filters.parse(call.query("filters"));
    filters.allowOnly("type", "event", "image", "container", "volume", "network", "label", "scope");
    BlockingQueue<Json> queue = events.subscribe();
    try {
      OutputStream out = call.stream(200, "application/json");
      double now = System.currentTimeMillis() / 1000.0;
      if (since != null) {
        for (Json e : events.history()) {
          double t = eventTime(e);
          if (t >= since && (until == null || t <= until) && matches(filters, e)) {
            write(out, e);
          }
        }
      }
      out.flush();
      while (until == null || System.currentTimeMillis() / 1000.0 < until) {
        long wait = until == null ? 1000 : (long) Math.max(1, Math.min(1000, (until - now) * 1000));
        Json e = queue.poll(wait, TimeUnit.MILLISECONDS);
        now = System.currentTimeMillis() / 1000.0;
        if (e == null) {
          continue;
        }
        double t = eventTime(e);
        if (since != null && t < since) {
          continue;
        }
        if (until != null && t > until) {
          break;
        }
        if (matches(filters, e)) {
          write(out, e);
          out.flush();
        }
      }
      out.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      events.unsubscribe(queue);
    }
  }

  private static void write(OutputStream out, Json e) throws IOException {
    out.write((e + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static double eventTime(Json e) {
    if (e instanceof JsonObject o && o.number("timeNano") != null) {
      return o.number("timeNano").longValue() / 1e9;
    }
    return 0;
  }

  /** Docker's time parameters: Unix seconds with an optional fraction, or an RFC 3339 time. */
  static Double time(String value, String name) throws ApiException {
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      try {
        return java.time.OffsetDateTime.parse(value).toInstant().toEpochMilli() / 1000.0;
      } catch (java.time.format.DateTimeParseException e2) {
        throw ApiException.badRequest("invalid value for " + name + ": " + value);
      }
    }
  }

  private static boolean matches(Filters filters, Json event) {
    if (!(event instanceof JsonObject o)) {
      return false;
    }
    String type = o.string("Type", "");
    String action = o.string("Action", "");
    JsonObject actor = o.object("Actor");
    String id = actor == null ? "" : actor.string("ID", "");
    Map<String, String> attrs = actor == null ? Map.of() : actor.stringMap("Attributes");
    if (!filters.accepts("type", type) || !filters.accepts("event", action)) {
      return false;
    }
    for (String kind : List.of("image", "container", "volume", "network")) {
      List<String> wanted = filters.values(kind);
      if (!wanted.isEmpty()) {
        String name = attrs.getOrDefault("name", "");
        String image = kind.equals("image") ? attrs.getOrDefault("image", id) : "";
        boolean hit =
            (type.equals(kind) && (wanted.contains(id) || wanted.contains(name)))
                || (kind.equals("image")
                    && (wanted.contains(image) || wanted.contains(attrs.get("image"))));
        if (!hit) {
          return false;
        }
      }
    }
    return Filters.labelsMatch(attrs, filters.values("label"));
  }
}
