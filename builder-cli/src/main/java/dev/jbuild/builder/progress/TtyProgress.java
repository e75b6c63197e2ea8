package dev.jbuild.builder.progress;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A live terminal view: finished steps scroll up as permanent lines; below them, every running step
 * shows its elapsed time and its last output lines, redrawn ten times a second.
 */
final class TtyProgress implements Progress {
  private static final int TAIL = 6;
  private static final String DIM = "\033[2m";
  private static final String BLUE = "\033[34m";
  private static final String RED = "\033[31m";
  private static final String RESET = "\033[0m";

  private final PrintWriter out;
  private final int width;
  private final Map<Integer, Running> running = new LinkedHashMap<>();
  private final List<String> pending = new ArrayList<>();
  private final Thread ticker;
  private int liveLines;
  private boolean closed;

  private static final class Running {
    final Step step;
    final long start = System.nanoTime();
    final Deque<String> tail = new ArrayDeque<>();

    Running(Step step) {
      this.step = step;
    }
  }

  TtyProgress(PrintWriter out) {
    this.out = out;
    this.width = terminalWidth();
    this.ticker =
        Thread.ofPlatform()
            .daemon()
            .name("jbuild-progress")
            .start(
                () -> {
                  while (true) {
                    try {
                      Thread.sleep(100);
                    } catch (InterruptedException e) {
                      return;
                    }
                    synchronized (this) {
                      if (closed) {
                        return;
                      }
                      render();
                    }
                  }
                });
  }

  private static int terminalWidth() {
    String cols = System.getenv("COLUMNS");
    if (cols != null) {
      try {
        return Math.max(40, Integer.parseInt(cols.trim()));
      } catch (NumberFormatException ignored) {
        // fall through
      }
    }
    try {
      Process p =
          new ProcessBuilder("stty", "size").redirectInput(ProcessBuilder.Redirect.INHERIT).start();
      String s = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      String[] parts = s.split("\\s+");
      if (parts.length == 2) {
        return Math.max(40, Integer.parseInt(parts[1]));
      }
    } catch (Exception ignored) {
      // not a terminal we can ask
    }
    return 100;
  }

  @Override
  public synchronized void started(Step step) {
    running.put(step.id(), new Running(step));
  }

  @Override
  public synchronized void cached(Step step) {
    pending.add(BLUE + "=> CACHED " + RESET + step.title());
  }

  @Override
  public synchronized void output(Step step, String line) {
    Running r = running.get(step.id());
    if (r != null) {
      r.tail.addLast(line);
      while (r.tail.size() > TAIL) {
        r.tail.removeFirst();
      }
    }
  }

  @Override
  public synchronized void finished(Step step, Duration took, String why) {
    running.remove(step.id());
    String reason = why == null || why.isEmpty() ? "" : DIM + " (" + why + ")" + RESET;
    pending.add("=> " + step.title() + " " + Progress.format(took) + reason);
  }

  @Override
  public synchronized void failed(Step step, Duration took, String message) {
    Running r = running.remove(step.id());
    pending.add(RED + "=> ERROR " + RESET + step.title() + " " + Progress.format(took));
    if (r != null) {
      for (String l : r.tail) {
        pending.add(DIM + "   " + l + RESET);
      }
    }
  }

  @Override
  public synchronized void message(String line) {
    pending.add(line);
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      render();
      clearLive();
      closed = true;
    }
    ticker.interrupt();
    out.flush();
  }

  private void clearLive() {
    if (liveLines > 0) {
      out.print("\033[" + liveLines + "F\033[J");
      liveLines = 0;
    }
  }

  private String fit(String s) {
    // strip nothing but keep lines from wrapping, which would break the cursor arithmetic
    int visible = 0;
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\033') {
        int end = s.indexOf('m', i);
        if (end > 0) {
          b.append(s, i, end + 1);
          i = end;
          continue;
        }
      }
      if (c == '\t') {
        c = ' ';
      } else if (c < ' ') {
        continue;
      }
      if (visible >= width - 1) {
        break;
      }
      b.append(c);
      visible++;
    }
    return b.append(RESET).toString();
  }

  private void render() {
    StringBuilder frame = new StringBuilder();
    if (liveLines > 0) {
      frame.append("\033[").append(liveLines).append("F\033[J");
    }
    for (String l : pending) {
      frame.append(fit(l)).append('\n');
    }
    pending.clear();
    int lines = 0;
    for (Running r : running.values()) {
      double secs = (System.nanoTime() - r.start) / 1e9;
      frame
          .append(fit(String.format(java.util.Locale.ROOT, "=> %s %.1fs", r.step.title(), secs)))
          .append('\n');
      lines++;
      for (String l : r.tail) {
        frame.append(fit(DIM + " | " + l)).append('\n');
        lines++;
      }
    }
    liveLines = lines;
    out.print(frame);
    out.flush();
  }
}
