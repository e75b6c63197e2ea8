package dev.jbuild.builder.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** rawjson's {@code statuses}: a pull's layers as buildx prints them, throttled per layer. */
class RawJsonProgressTest {
  /** A clock the test moves. */
  private static final class Manual extends Clock {
    Instant now = Instant.parse("2026-12-05T00:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void pullStatusesAreThrottledPerLayerAndEndCompleted() {
    StringWriter text = new StringWriter();
    Manual clock = new Manual();
    RawJsonProgress p = new RawJsonProgress(new PrintWriter(text), clock);
    Step from = new Step(1, "[1/2]", "FROM base");
    p.started(from);
    p.status(from, "abc123", 0, 100, false);
    p.status(from, "abc123", 10, 100, false); // within the interval: not shown
    clock.now = clock.now.plus(Duration.ofMillis(150));
    p.status(from, "abc123", 60, 100, false);
    p.status(from, "abc123", 100, 100, true); // the end is always shown
    List<JsonObject> statuses =
        text.toString()
            .lines()
            .map(Json::parseObject)
            .filter(o -> o.has("statuses"))
            .map(o -> (JsonObject) o.array("statuses").get(0))
            .toList();
    assertEquals(3, statuses.size(), text.toString());
    assertEquals(
        List.of(0L, 60L, 100L), statuses.stream().map(s -> s.longValue("current")).toList());
    JsonObject last = statuses.getLast();
    assertEquals("abc123", last.string("id"));
    assertEquals(100L, last.longValue("total"));
    JsonObject vertex =
        (JsonObject)
            Json.parseObject(text.toString().lines().findFirst().orElseThrow())
                .array("vertexes")
                .get(0);
    assertEquals(vertex.string("digest"), last.string("vertex"), "the FROM step's vertex");
    assertEquals("2026-12-05T00:00:00Z", last.string("started"));
    assertEquals("2026-12-05T00:00:00.150Z", last.string("completed"));
    assertNull(statuses.getFirst().string("completed"));
  }
}
