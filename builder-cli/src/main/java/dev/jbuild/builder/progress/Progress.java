package dev.jbuild.builder.progress;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Receives build events and shows them. Implementations are thread-safe: stages run in parallel.
 *
 * <p>Every step ends with exactly one of {@link #cached}, {@link #finished} or {@link #failed}.
 */
public interface Progress extends AutoCloseable {
  /** The step starts executing (it missed the cache, or has no cache, like FROM). */
  void started(Step step);

  /** The step's result came from the cache. */
  void cached(Step step);

  /** A line of output of a running step (RUN output, pull progress). */
  void output(Step step, String line);

  /**
   * The step completed.
   *
   * @param why for a cache miss, what changed (a file, an argument, the parent step); may be empty
   */
  void finished(Step step, Duration took, String why);

  /** The step failed; {@code message} is shown with it. */
  void failed(Step step, Duration took, String message);

  /** A line that belongs to no step ("writing image sha256:...", warnings). */
  void message(String line);

  /** The build's first line in plain mode (how it runs), before any step; other modes skip it. */
  default void header(String line) {}

  /**
   * A transfer of {@code step} (a layer being pulled): {@code current} of {@code total} bytes
   * ({@code total} -1 when unknown), {@code done} at its end. Only the machine display shows it
   * (rawjson's {@code statuses}); the others show the step's output lines.
   */
  default void status(Step step, String id, long current, long total, boolean done) {}

  /** Whether {@link #message} lines are dropped (-q): reports that must be seen go to the log. */
  default boolean quiet() {
    return false;
  }

  @Override
  void close();

  /** The display modes of {@code --progress}. */
  enum Mode {
    AUTO,
    PLAIN,
    TTY,
    QUIET,
    RAWJSON;

    public static Mode parse(String text) {
      try {
        return valueOf(text.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "invalid --progress value '" + text + "': expected auto, plain, tty, quiet or rawjson");
      }
    }
  }

  /**
   * Creates the display for {@code mode}; AUTO is TTY when stderr is a terminal, else PLAIN.
   *
   * @param env the process environment (TERM=dumb and NO_COLOR are honoured)
   */
  static Progress create(Mode mode, PrintWriter err, Map<String, String> env) {
    Mode m = mode;
    if (m == Mode.AUTO) {
      boolean terminal = System.console() != null && System.console().isTerminal();
      m = terminal && !"dumb".equals(env.get("TERM")) ? Mode.TTY : Mode.PLAIN;
    }
    return switch (m) {
      case QUIET -> new QuietProgress();
      case TTY -> new TtyProgress(err);
      case RAWJSON -> new RawJsonProgress(err, java.time.Clock.systemUTC());
      default -> new PlainProgress(err);
    };
  }

  /** Formats a duration the way the displays show it: 0.01s, 1.2s, 1m03s. */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 10_000) {
      return String.format(Locale.ROOT, "%.2fs", ms / 1000.0);
    }
    if (ms < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", ms / 1000.0);
    }
    return String.format(Locale.ROOT, "%dm%02ds", ms / 60_000, (ms / 1000) % 60);
  }
}
