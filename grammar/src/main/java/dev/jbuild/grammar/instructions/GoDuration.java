package dev.jbuild.grammar.instructions;

import dev.jbuild.grammar.Messages;
import java.time.Duration;

/** Go's time.ParseDuration ("1h30m", "1.5s", "300ms", "-2us"), which HEALTHCHECK flags use. */
public final class GoDuration {
  private GoDuration() {}

  public static Duration parse(String orig) {
    String s = orig;
    boolean neg = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      neg = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException(Messages.invalidDuration(orig));
    }
    double total = 0;
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (!(c == '.' || (c >= '0' && c <= '9'))) {
        throw new IllegalArgumentException(Messages.invalidDuration(orig));
      }
      int start = i;
      while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        i++;
      }
      boolean pre = i > start;
      String intPart = s.substring(start, i);
      String frac = "";
      boolean post = false;
      if (i < s.length() && s.charAt(i) == '.') {
        i++;
        int fs = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
          i++;
        }
        frac = s.substring(fs, i);
        post = i > fs;
      }
      if (!pre && !post) {
        throw new IllegalArgumentException(Messages.invalidDuration(orig));
      }
      int us = i;
      while (i < s.length() && s.charAt(i) != '.' && (s.charAt(i) < '0' || s.charAt(i) > '9')) {
        i++;
      }
      if (us == i) {
        throw new IllegalArgumentException(Messages.missingDurationUnit(orig));
      }
      String unit = s.substring(us, i);
      double nanosPerUnit =
          switch (unit) {
            case "ns" -> 1;
            case "us", "\u00b5s", "\u03bcs" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            case "h" -> 3600e9;
            default -> throw new IllegalArgumentException(Messages.unknownDurationUnit(unit, orig));
          };
      double v = (intPart.isEmpty() ? 0 : Double.parseDouble(intPart));
      if (!frac.isEmpty()) {
        v += Double.parseDouble("0." + frac);
      }
      total += v * nanosPerUnit;
      if (total > 9.223372036854775807e18) {
        throw new IllegalArgumentException(Messages.invalidDuration(orig));
      }
    }
    long nanos = Math.round(total);
    return Duration.ofNanos(neg ? -nanos : nanos);
  }

  /** Go's Duration.String(): "1m30s", "500ms", "1h0m0s", "0s". */
  public static String format(Duration d) {
    long n = d.toNanos();
    if (n == 0) {
      return "0s";
    }
    StringBuilder sb = new StringBuilder();
    if (n < 0) {
      sb.append('-');
      n = -n;
    }
    if (n < 1_000_000_000L) {
      if (n < 1_000) {
        return sb.append(n).append("ns").toString();
      }
      if (n < 1_000_000) {
        return sb.append(trim(n / 1e3)).append("\u00b5s").toString();
      }
      return sb.append(trim(n / 1e6)).append("ms").toString();
    }
    long h = n / 3_600_000_000_000L;
    long rem = n % 3_600_000_000_000L;
    long m = rem / 60_000_000_000L;
    long sn = rem % 60_000_000_000L;
    if (h > 0) {
      sb.append(h).append('h').append(m).append('m');
    } else if (m > 0) {
      sb.append(m).append('m');
    }
    return sb.append(trim(sn / 1e9)).append('s').toString();
  }

  private static String trim(double v) {
    String s = java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    return s;
  }
}
