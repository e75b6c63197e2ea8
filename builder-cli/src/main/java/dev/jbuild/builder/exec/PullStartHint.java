package dev.jbuild.builder.exec;

import dev.jbuild.builder.progress.Progress;
import dev.jbuild.builder.progress.Step;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The progress of a FROM step that runs {@code hint} once when the step starts for real, i.e. when
 * the base image is pulled rather than found in the store (a FROM served by the store is reported
 * cached, never started). Everything is passed on unchanged.
 */
final class PullStartHint implements Progress {
  private final Progress delegate;
  private final Step from;
  private final Runnable hint;
  private final AtomicBoolean fired = new AtomicBoolean();

  PullStartHint(Progress delegate, Step from, Runnable hint) {
    this.delegate = delegate;
    this.from = from;
    this.hint = hint;
  }

  @Override
  public void started(Step step) {
    if (step.equals(from) && fired.compareAndSet(false, true)) {
      hint.run();
    }
    delegate.started(step);
  }

  @Override
  public void cached(Step step) {
    delegate.cached(step);
  }

  @Override
  public void output(Step step, String line) {
    delegate.output(step, line);
  }

  @Override
  public void finished(Step step, Duration took, String why) {
    delegate.finished(step, took, why);
  }

  @Override
  public void failed(Step step, Duration took, String message) {
    delegate.failed(step, took, message);
  }

  @Override
  public void message(String line) {
    delegate.message(line);
  }

  @Override
  public void header(String line) {
    delegate.header(line);
  }

  @Override
  public void close() {
    // the build's progress is closed by its owner
  }
}
