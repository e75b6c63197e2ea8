package dev.jbuild.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbuild.builder.fakes.RecordingProgress;
import dev.jbuild.builder.progress.Step;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PullStartHintTest {
  private final Step from = new Step(1, "[1/2]", "FROM busybox");
  private final RecordingProgress recorded = new RecordingProgress();
  private final AtomicInteger hints = new AtomicInteger();
  private final PullStartHint progress = new PullStartHint(recorded, from, hints::incrementAndGet);

  @Test
  void aPullHintsOnceAndPassesEverythingOn() {
    progress.started(from);
    progress.output(from, "sha256:abc: done");
    progress.started(from);
    progress.finished(from, Duration.ofMillis(5), "pulled");
    assertEquals(1, hints.get());
    assertEquals(4, recorded.events().size(), "" + recorded.events());
  }

  @Test
  void aBaseFromTheStoreGivesNoHint() {
    progress.cached(from);
    progress.started(new Step(2, "[2/2]", "RUN true"));
    assertEquals(0, hints.get(), "only the FROM step's start means a pull");
    assertEquals(2, recorded.events().size());
  }
}
