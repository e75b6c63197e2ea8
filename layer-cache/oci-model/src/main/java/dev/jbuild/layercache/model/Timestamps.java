package dev.jbuild.layercache.model;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** RFC 3339 timestamps as image configs write them ({@code 2024-05-01T12:00:00.123Z}). */
public final class Timestamps {
  private Timestamps() {}

  /** Parses an RFC 3339 time with any offset; null for null; throws naming the text otherwise. */
  public static Instant parse(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
      } catch (DateTimeParseException e2) {
        throw new IllegalArgumentException("invalid RFC 3339 timestamp: " + text, e2);
      }
    }
  }

  /** Parses leniently: null when absent or malformed (for display). */
  public static Instant parseOrNull(String text) {
    try {
      return parse(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** UTC, nanoseconds with trailing zeros trimmed (Go's RFC3339Nano). */
  public static String format(Instant instant) {
    return instant.toString();
  }
}
