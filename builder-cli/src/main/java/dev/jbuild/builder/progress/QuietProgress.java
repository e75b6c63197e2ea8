package dev.jbuild.builder.progress;

import java.time.Duration;

/** Shows nothing; failures still reach the user through the build's error. */
final class QuietProgress implements Progress {
  @Override
  public void started(Step step) {}

  @Override
  public void cached(Step step) {}

  @Override
  public void output(Step step, String line) {}

  @Override
  public void finished(Step step, Duration took, String why) {}

  @Override
  public void failed(Step step, Duration took, String message) {}

  @Override
  public void message(String line) {}

  @Override
  public boolean quiet() {
    return true;
  }

  @Override
  public void close() {}
}
