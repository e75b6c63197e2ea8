package dev.jbuild.layercache.registry;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Network time limits for registry requests and {@code ADD <url>}: {@code connect} bounds opening a
 * connection (TCP and TLS), {@code read} bounds every wait for the peer (the response headers, and
 * each read of a body: a transfer that makes no progress for that long is abandoned; a slow one
 * that keeps moving is not). Defaults: 30 s and 60 s. Set in registries.json ({@code "timeouts":
 * {"connect": 30, "read": 60}}, seconds) and overridden by the environment: {@code
 * JBUILD_CONNECT_TIMEOUT} and {@code JBUILD_READ_TIMEOUT} (seconds, decimals allowed).
 */
public record Timeouts(Duration connect, Duration read) {
  public static final Timeouts DEFAULT =
      new Timeouts(Duration.ofSeconds(30), Duration.ofSeconds(60));
  public static final String CONNECT_ENV = "JBUILD_CONNECT_TIMEOUT";
  public static final String READ_ENV = "JBUILD_READ_TIMEOUT";

  public Timeouts {
    Objects.requireNonNull(connect, "connect");
    Objects.requireNonNull(read, "read");
    if (connect.isNegative() || connect.isZero() || read.isNegative() || read.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }

  /** These timeouts with the environment's overrides applied. */
  public Timeouts withEnvironment(Map<String, String> env) {
    return new Timeouts(
        parse(env.get(CONNECT_ENV), CONNECT_ENV, connect),
        parse(env.get(READ_ENV), READ_ENV, read));
  }

  /** Seconds (a JSON number or the text of one) as a duration; {@code what} names it in errors. */
  public static Duration seconds(String text, String what) {
    double s;
    try {
      s = Double.parseDouble(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          what + " must be a number of seconds, not \"" + text + "\"");
    }
    if (!(s > 0) || s > 86_400) {
      throw new IllegalArgumentException(
          what + " must be between 0 and 86400 seconds, not \"" + text + "\"");
    }
    return Duration.ofNanos(Math.max(1_000_000L, Math.round(s * 1e9)));
  }

  private static Duration parse(String value, String name, Duration fallback) {
    return value == null || value.isBlank() ? fallback : seconds(value, name);
  }

  /** "60 s", "0.5 s": for messages. */
  public static String describe(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : (ms / 1000.0) + " s";
  }
}
