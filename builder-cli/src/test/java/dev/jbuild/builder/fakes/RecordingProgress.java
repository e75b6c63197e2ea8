package dev.jbuild.builder.fakes;

import dev.jbuild.builder.progress.Progress;
import dev.jbuild.builder.progress.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A {@link Progress} that keeps what it was told, one line per event ("cached [1/3] ENV A=1"). */
public final class RecordingProgress implements Progress {
  private final List<String> events = Collections.synchronizedList(new ArrayList<>());

  public List<String> events() {
    return List.copyOf(events);
  }

  /** The events starting with {@code prefix} ("cached", "finished", "failed", "output"). */
  public List<String> events(String prefix) {
    return events().stream().filter(e -> e.startsWith(prefix + " ")).toList();
  }

  @Override
  public void started(Step step) {
    events.add("started " + step.title());
  }

  @Override
  public void cached(Step step) {
    events.add("cached " + step.title());
  }

  @Override
  public void output(Step step, String line) {
    events.add("output " + step.title() + ": " + line);
  }

  @Override
  public void finished(Step step, Duration took, String why) {
    events.add("finished " + step.title() + (why.isEmpty() ? "" : " (" + why + ")"));
  }

  @Override
  public void failed(Step step, Duration took, String message) {
    events.add("failed " + step.title() + ": " + message);
  }

  @Override
  public void message(String line) {
    events.add("message " + line);
  }

  @Override
  public void close() {}
}
