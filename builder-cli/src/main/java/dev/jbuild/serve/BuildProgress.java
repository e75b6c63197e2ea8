package dev.jbuild.serve;

import dev.jbuild.builder.progress.Progress;
import dev.jbuild.builder.progress.Step;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A build's progress as docker's classic builder streams it: {@code Step 2/3 : RUN make}, {@code
 * ---> Using cache} for a cached step, the step's output lines, other messages as they come. Quiet
 * ({@code q=1}) streams nothing until the ID.
 */
final class BuildProgress implements Progress {
  private static final Pattern POSITION = Pattern.compile("\\[(.*?)\\s*(\\d+)/(\\d+)]");
  private final JsonStream out;
  private final boolean quiet;

  BuildProgress(JsonStream out, boolean quiet) {
    this.out = out;
    this.quiet = quiet;
  }

  /** {@code Step 2/3 : RUN make}, with the stage's name first in a multi-stage build. */
  static String title(Step step) {
    Matcher m = POSITION.matcher(step.label());
    if (m.matches()) {
      String stage = m.group(1).isEmpty() ? "" : "[" + m.group(1) + "] ";
      return "Step " + stage + m.group(2) + "/" + m.group(3) + " : " + step.text();
    }
    return "Step " + step.id() + " : " + step.text();
  }

  @Override
  public void started(Step step) {
    if (!quiet) {
      out.stream(title(step) + "\n");
    }
  }

  @Override
  public void cached(Step step) {
    if (!quiet) {
      out.stream(title(step) + "\n");
      out.stream(" ---> Using cache\n");
    }
  }

  @Override
  public void output(Step step, String line) {
    if (!quiet) {
      out.stream(line + "\n");
    }
  }

  @Override
  public void finished(Step step, Duration took, String why) {}

  @Override
  public void failed(Step step, Duration took, String message) {}

  @Override
  public void message(String line) {
    if (!quiet) {
      out.stream(line + "\n");
    }
  }

  @Override
  public boolean quiet() {
    return quiet;
  }

  @Override
  public void close() {}
}
