package dev.jbuild.layercache.json;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A JSON number, kept as its text so that {@code 1.0}, {@code 1e3} or a 20-digit integer are
 * written back exactly as read.
 */
public record JsonNumber(String text) implements Json {
  public JsonNumber {
    Objects.requireNonNull(text, "text");
    if (!isValid(text)) {
      throw new IllegalArgumentException("not a JSON number: " + text);
    }
  }

  public static JsonNumber of(long value) {
    return new JsonNumber(Long.toString(value));
  }

  /** The value as a long; throws when it is not an integer in range. */
  public long longValue() {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      try {
        return new BigDecimal(text).longValueExact();
      } catch (ArithmeticException | NumberFormatException e2) {
        throw new IllegalArgumentException("not an integer in range: " + text, e2);
      }
    }
  }

  /** The value as an int; throws when it is not an integer in range. */
  public int intValue() {
    long v = longValue();
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("not a 32-bit integer: " + text);
    }
    return (int) v;
  }

  public double doubleValue() {
    return Double.parseDouble(text);
  }

  public BigDecimal decimalValue() {
    return new BigDecimal(text);
  }

  @Override
  public String toString() {
    return text;
  }

  /** RFC 8259 number grammar. */
  static boolean isValid(String s) {
    int i = 0;
    int n = s.length();
    if (i < n && s.charAt(i) == '-') {
      i++;
    }
    if (i >= n) {
      return false;
    }
    if (s.charAt(i) == '0') {
      i++;
    } else if (s.charAt(i) >= '1' && s.charAt(i) <= '9') {
      i = digitsEnd(s, i);
    } else {
      return false;
    }
    if (i < n && s.charAt(i) == '.') {
      int start = i + 1;
      i = digitsEnd(s, start);
      if (i == start) {
        return false;
      }
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int start = i;
      i = digitsEnd(s, start);
      if (i == start) {
        return false;
      }
    }
    return i == n;
  }

  /** The index after the ASCII digits that start at {@code i} ({@code i} when there are none). */
  private static int digitsEnd(String s, int i) {
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    return i;
  }
}
