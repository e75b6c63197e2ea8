package dev.jbuild.builder.progress;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plain lines for CI logs. Every step gets one summary line carrying its instruction and either
 * {@code CACHED} or its duration (plus, for a cache miss, what changed); a step that runs also gets
 * a start line and its output lines prefixed with its number and elapsed time:
 *
 * <pre>
 * #2 [2/4] RUN echo built > /built.txt CACHED
 * #3 [3/4] COPY hello.txt /hello.txt
 * #3 [3/4] COPY hello.txt /hello.txt DONE 0.01s (changed: file hello.txt)
 * #4 [4/4] RUN make
 * #4 0.513 cc -o app main.c
 * #4 [4/4] RUN make DONE 2.10s
 * </pre>
 */
final class PlainProgress implements Progress {
  private final PrintWriter out;
  private final Map<Integer, Long> startNanos = new ConcurrentHashMap<>();

  PlainProgress(PrintWriter out) {
    this.out = out;
  }

  @Override
  public synchronized void started(Step step) {
    startNanos.put(step.id(), System.nanoTime());
    out.println("#" + step.id() + " " + step.title());
    out.flush();
  }

  @Override
  public synchronized void cached(Step step) {
    out.println("#" + step.id() + " " + step.title() + " CACHED");
    out.flush();
  }

  @Override
  public synchronized void output(Step step, String line) {
    Long t0 = startNanos.get(step.id());
    double secs = t0 == null ? 0 : (System.nanoTime() - t0) / 1e9;
    out.println(String.format(Locale.ROOT, "#%d %.3f %s", step.id(), secs, line));
  }

  @Override
  public synchronized void finished(Step step, Duration took, String why) {
    String reason = why == null || why.isEmpty() ? "" : " (" + why + ")";
    out.println("#" + step.id() + " " + step.title() + " DONE " + Progress.format(took) + reason);
    out.flush();
  }

  @Override
  public synchronized void failed(Step step, Duration took, String message) {
    out.println("#" + step.id() + " " + step.title() + " ERROR " + Progress.format(took));
    for (String l : message.split("\n", -1)) {
      out.println("#" + step.id() + " " + l);
    }
    out.flush();
  }

  @Override
  public synchronized void header(String line) {
    out.println(line);
    out.flush();
  }

  @Override
  public synchronized void message(String line) {
    out.println(line);
    out.flush();
  }

  @Override
  public synchronized void close() {
    out.flush();
  }
}
