package dev.jbuild.layercache.registry;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Progress for people: on a terminal, one bar per blob redrawn in place (at most 10 times a
 * second); otherwise plain lines, one when a blob starts and one when it ends (CI logs).
 */
public final class ConsoleProgress implements Progress {
  private static final long REDRAW_NANOS = 100_000_000L;
  private final PrintWriter out;
  private final boolean tty;
  private final Map<String, Line> lines = new LinkedHashMap<>();
  private int drawn;
  private long lastDraw;

  private static final class Line {
    final String action;
    final long total;
    long done;
    String status;

    Line(String action, long total) {
      this.action = action;
      this.total = total;
    }
  }

  public ConsoleProgress(PrintWriter out, boolean tty) {
    this.out = out;
    this.tty = tty;
  }

  @Override
  public synchronized void start(String id, String action, long total) {
    lines.put(id, new Line(action, total));
    if (tty) {
      redraw(true);
    } else {
      out.println(id + ": " + action + (total >= 0 ? " " + size(total) : ""));
      out.flush();
    }
  }

  @Override
  public synchronized void advance(String id, long bytes) {
    Line l = lines.get(id);
    if (l != null) {
      l.done += bytes;
      if (tty) {
        redraw(false);
      }
    }
  }

  @Override
  public synchronized void done(String id, String status) {
    Line l = lines.computeIfAbsent(id, k -> new Line("", -1));
    l.status = status;
    if (tty) {
      redraw(true);
    } else {
      out.println(id + ": " + status);
      out.flush();
    }
  }

  @Override
  public synchronized void message(String line) {
    if (tty) {
      redraw(true);
      lines.clear();
      drawn = 0;
    }
    out.println(line);
    out.flush();
  }

  private void redraw(boolean force) {
    long now = System.nanoTime();
    if (!force && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    var sb = new StringBuilder();
    if (drawn > 0) {
      sb.append("\033[").append(drawn).append('A');
    }
    for (var e : lines.entrySet()) {
      Line l = e.getValue();
      sb.append("\r\033[2K").append(e.getKey()).append(": ");
      if (l.status != null) {
        sb.append(l.status);
      } else {
        sb.append(String.format(Locale.ROOT, "%-12s", l.action));
        if (l.total > 0) {
          int width = 30;
          int filled = (int) Math.min(width, l.done * width / l.total);
          sb.append(" [")
              .append("=".repeat(Math.max(0, filled - 1)))
              .append(filled > 0 ? ">" : "")
              .append(" ".repeat(width - filled))
              .append("] ")
              .append(size(l.done))
              .append('/')
              .append(size(l.total));
        } else {
          sb.append(' ').append(size(l.done));
        }
      }
      sb.append('\n');
    }
    drawn = lines.size();
    out.print(sb);
    out.flush();
  }

  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    if (bytes < 1024L * 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
    return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
  }
}
