package dev.jbuild.cli;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Docker-style output helpers: human sizes and ages, aligned tables, durations. */
final class Formats {
  private Formats() {}

  private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

  /** Decimal units with three significant digits, as Docker prints them: 1.23MB, 512kB, 0B. */
  static String size(long bytes) {
    double v = bytes;
    int u = 0;
    while (v >= 1000 && u < UNITS.length - 1) {
      v /= 1000;
      u++;
    }
    BigDecimal d = new BigDecimal(v).round(new MathContext(3));
    if (d.compareTo(BigDecimal.valueOf(1000)) >= 0 && u < UNITS.length - 1) {
      d = d.divide(BigDecimal.valueOf(1000)).round(new MathContext(3));
      u++;
    }
    return d.stripTrailingZeros().toPlainString() + UNITS[u];
  }

  /** "2 hours ago", "About a minute ago", "N/A" (for a missing time), like docker images. */
  static String ago(Instant then, Instant now) {
    if (then == null) {
      return "N/A";
    }
    return humanDuration(Duration.between(then, now)) + " ago";
  }

  /** Docker's units.HumanDuration. */
  static String humanDuration(Duration d) {
    long seconds = d.toSeconds();
    if (seconds < 1) {
      return "Less than a second";
    } else if (seconds == 1) {
      return "1 second";
    } else if (seconds < 60) {
      return seconds + " seconds";
    }
    long minutes = d.toMinutes();
    if (minutes == 1) {
      return "About a minute";
    } else if (minutes < 60) {
      return minutes + " minutes";
    }
    long hours = Math.round(d.toSeconds() / 3600.0);
    if (hours == 1) {
      return "About an hour";
    } else if (hours < 48) {
      return hours + " hours";
    } else if (hours < 24 * 7 * 2) {
      return hours / 24 + " days";
    } else if (hours < 24 * 30 * 2) {
      return hours / 24 / 7 + " weeks";
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 / 30 + " months";
    }
    return hours / 24 / 365 + " years";
  }

  /**
   * Parses a duration: {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d}, {@code 2w}, combinations
   * like {@code 1h30m}, or {@code 0}.
   */
  static Duration parseDuration(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Duration total = Duration.ZERO;
    int i = 0;
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && Character.isDigit(s.charAt(i))) {
        i++;
      }
      if (start == i || i >= s.length()) {
        throw new IllegalArgumentException(
            "invalid duration \"" + text + "\" (examples: 30m, 24h, 7d, 1h30m)");
      }
      long n = Long.parseLong(s.substring(start, i));
      char unit = s.charAt(i++);
      total =
          total.plus(
              switch (unit) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                case 'd' -> Duration.ofDays(n);
                case 'w' -> Duration.ofDays(7 * n);
                default ->
                    throw new IllegalArgumentException(
                        "invalid duration \"" + text + "\": unknown unit '" + unit + "'");
              });
    }
    return total;
  }

  /** Ellipsises {@code s} to at most {@code max} characters. */
  static String truncate(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    return s.substring(0, max - 1) + "…";
  }

  /** An aligned table (3 spaces between columns, like Docker's tabwriter). */
  static final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
      rows.add(header);
    }

    Table row(String... cells) {
      rows.add(cells);
      return this;
    }

    void print(PrintWriter out) {
      int cols = rows.get(0).length;
      int[] width = new int[cols];
      for (String[] r : rows) {
        for (int c = 0; c < cols; c++) {
          width[c] = Math.max(width[c], r[c].length());
        }
      }
      for (String[] r : rows) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < cols; c++) {
          sb.append(r[c]);
          if (c < cols - 1) {
            sb.append(" ".repeat(width[c] - r[c].length() + 3));
          }
        }
        out.println(sb.toString().stripTrailing());
      }
      out.flush();
    }
  }
}
