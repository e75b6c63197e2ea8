package dev.jbuild.layercache.model;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Docker's {@code Healthcheck}: Test (e.g. {@code ["CMD-SHELL", "curl -f localhost"]} or {@code
 * ["NONE"]}), Interval, Timeout, StartPeriod, StartInterval (nanoseconds), Retries. Backed by its
 * JSON object, so unknown members and absent-vs-zero survive.
 */
public record HealthConfig(JsonObject json) {
  public HealthConfig {
    Objects.requireNonNull(json, "json");
    json.strings("Test");
    json.longValue("Interval");
    json.longValue("Timeout");
    json.longValue("StartPeriod");
    json.longValue("StartInterval");
    json.longValue("Retries");
  }

  /** A health check; null durations and retries are left out (meaning "inherit/default"). */
  public static HealthConfig of(
      List<String> test,
      Duration interval,
      Duration timeout,
      Duration startPeriod,
      Duration startInterval,
      Integer retries) {
    JsonObject.Builder b = JsonObject.builder();
    if (test != null) {
      b.put("Test", Json.ofStrings(test));
    }
    if (interval != null) {
      b.put("Interval", interval.toNanos());
    }
    if (timeout != null) {
      b.put("Timeout", timeout.toNanos());
    }
    if (startPeriod != null) {
      b.put("StartPeriod", startPeriod.toNanos());
    }
    if (startInterval != null) {
      b.put("StartInterval", startInterval.toNanos());
    }
    if (retries != null) {
      b.put("Retries", retries.longValue());
    }
    return new HealthConfig(b.build());
  }

  /** {@code HEALTHCHECK NONE}. */
  public static HealthConfig none() {
    return of(List.of("NONE"), null, null, null, null, null);
  }

  public List<String> test() {
    return json.strings("Test");
  }

  public Duration interval() {
    return nanos("Interval");
  }

  public Duration timeout() {
    return nanos("Timeout");
  }

  public Duration startPeriod() {
    return nanos("StartPeriod");
  }

  public Duration startInterval() {
    return nanos("StartInterval");
  }

  public Integer retries() {
    Long r = json.longValue("Retries");
    return r == null ? null : r.intValue();
  }

  private Duration nanos(String key) {
    Long n = json.longValue(key);
    return n == null ? null : Duration.ofNanos(n);
  }
}
