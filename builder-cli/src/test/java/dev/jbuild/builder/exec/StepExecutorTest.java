package dev.jbuild.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.cache.KeyBuilder;
import dev.jbuild.builder.core.StageState;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.builder.fakes.Engine;
import dev.jbuild.builder.fakes.Plans;
import dev.jbuild.builder.steps.LayerBlobs;
import dev.jbuild.builder.steps.MetadataStep;
import dev.jbuild.builder.steps.Step;
import dev.jbuild.layercache.model.History;
import dev.jbuild.layercache.model.Platform;
import dev.jbuild.layercache.store.CacheRecord;
import dev.jbuild.layercache.tar.TarEntry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepExecutorTest {
  @TempDir Path dir;
  Engine engine;
  StageState scratch;

  @BeforeEach
  void setUp() throws IOException {
    engine = new Engine(dir);
    var base = StoreImages.scratch(Platform.host());
    scratch = new StageState(base.config(), List.of(), base.key(), false);
  }

  /** What a {@link FileStep}'s prepare returned: the value execute must get back. */
  record Resolved(String content) implements Step.Prepared {}

  /** A step writing one file whose content is its only input; counts its calls. */
  static class FileStep implements Step<Resolved> {
    final String name;
    final String content;
    final boolean independent;
    int prepared;
    final List<Resolved> executedWith = new ArrayList<>();
    Resolved lastPrepared;

    final dev.jbuild.layercache.store.Store store;

    FileStep(
        dev.jbuild.layercache.store.Store store, String name, String content, boolean independent) {
      this.store = store;
      this.name = name;
      this.content = content;
      this.independent = independent;
    }

    @Override
    public String kind() {
      return "file";
    }

    @Override
    public Resolved prepare(KeyBuilder key, StageState state) {
      prepared++;
      key.put("content:" + name, content);
      lastPrepared = new Resolved(content);
      return lastPrepared;
    }

    @Override
    public boolean independent() {
      return independent;
    }

    @Override
    public boolean producesLayer() {
      return true;
    }

    @Override
    public Optional<CacheRecord.Layer> execute(Resolved p, StageState state, Execution execution)
        throws IOException {
      executedWith.add(p);
      execution.output().line("writing " + name);
      byte[] data = p.content().getBytes(StandardCharsets.UTF_8);
      return Optional.of(
          LayerBlobs.write(
              store,
              null,
              w ->
                  w.add(
                      TarEntry.file(name, data.length).withMtime(Instant.EPOCH),
                      new ByteArrayInputStream(data))));
    }

    @Override
    public String createdBy() {
      return "FILE " + name;
    }
  }

  private FileStep file(String name, String content) {
    return new FileStep(engine.store, name, content, false);
  }

  private static dev.jbuild.builder.progress.Step shown(String text) {
    return new dev.jbuild.builder.progress.Step(1, "[1/2]", text);
  }

  private StageState run(StepExecutor ex, Step<?> step, StageState state) throws Exception {
    return ex.run(step, state, shown(step.createdBy()), "0/1", false);
  }

  @Test
  void aMissExecutesWithWhatPrepareReturnedAndRecordsTheLayer() throws Exception {
    FileStep step = file("a.txt", "one");
    StepExecutor ex = engine.executor(false);
    StageState after = run(ex, step, scratch);

    assertEquals(1, step.prepared);
    assertEquals(1, step.executedWith.size());
    assertSame(step.lastPrepared, step.executedWith.getFirst());
    assertEquals(1, after.layers().size());
    assertEquals(
        after.layers(), engine.store.cache().get(after.key().hex()).orElseThrow().layers());
    assertEquals(List.of(after.layers().getFirst().diffId()), after.config().diffIds());
    assertTrue(after.missed());
    assertEquals(
        List.of(
            "started [1/2] FILE a.txt",
            "output [1/2] FILE a.txt: writing a.txt",
            "finished [1/2] FILE a.txt"),
        engine.progress.events());
    assertEquals(1, ex.steps());
    assertEquals(0, ex.cached());
  }

  /** A {@link FileStep} whose execution waits until the test lets it finish. */
  static final class GatedStep extends FileStep {
    final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);

    GatedStep(dev.jbuild.layercache.store.Store store, String name, String content) {
      super(store, name, content, false);
    }

    @Override
    public Optional<CacheRecord.Layer> execute(Resolved p, StageState state, Execution execution)
        throws IOException {
      try {
        gate.await();
      } catch (InterruptedException e) {
        throw new IOException(e);
      }
      return super.execute(p, state, execution);
    }
  }

  @Test
  void oneKeyRunsOncePerBuildWhenTwoStagesOrPlatformsReachItTogether() throws Exception {
    // --no-cache: even then the second gets the first one's result, made in this build
    StepExecutor ex = engine.executor(true);
    GatedStep first = new GatedStep(engine.store, "tool", "native");
    FileStep second = file("tool", "native");
    StageState[] results = new StageState[2];
    Thread a = new Thread(() -> results[0] = runUnchecked(ex, first));
    a.start();
    while (a.getState() != Thread.State.WAITING) {
      Thread.onSpinWait();
    }
    Thread b = new Thread(() -> results[1] = runUnchecked(ex, second));
    b.start();
    while (b.getState() != Thread.State.WAITING && b.getState() != Thread.State.TERMINATED) {
      Thread.onSpinWait();
    }
    assertTrue(second.executedWith.isEmpty(), "the second waits for the first");
    first.gate.countDown();
    a.join();
    b.join();
    assertEquals(1, first.executedWith.size());
    assertTrue(second.executedWith.isEmpty());
    assertEquals(results[0].key(), results[1].key());
    assertEquals(results[0].layers(), results[1].layers());
    assertEquals(1, ex.cached());
  }

  private StageState runUnchecked(StepExecutor ex, Step<?> step) {
    try {
      return run(ex, step, scratch);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aHitReusesTheRecordedLayerAndTimeWithoutExecuting() throws Exception {
    StageState first = run(engine.executor(false), file("a.txt", "one"), scratch).complete();
    FileStep again = file("a.txt", "one");
    StepExecutor ex = engine.executor(false);
    StageState second = run(ex, again, scratch).complete();

    assertTrue(again.executedWith.isEmpty());
    assertEquals(1, again.prepared);
    assertEquals(first.key(), second.key());
    assertEquals(first.layers(), second.layers());
    assertEquals(first.config(), second.config());
    assertFalse(second.missed());
    assertEquals(1, ex.cached());
    assertTrue(engine.progress.events().contains("cached [1/2] FILE a.txt"));
  }

  @Test
  void aLookupWaitsForTheGateSoARecordImportedMeanwhileIsAHit() throws Exception {
    // the record and its layer, made in another store (what a --cache-from brings)
    Engine other = new Engine(dir.resolve("other"));
    StageState made =
        run(other.executor(false), new FileStep(other.store, "a.txt", "one", false), scratch);
    CacheRecord record = other.store.cache().get(made.key().hex()).orElseThrow();

    StepExecutor ex = engine.executor(false);
    java.util.concurrent.CountDownLatch imported = new java.util.concurrent.CountDownLatch(1);
    ex.lookupAfter(imported::await);
    FileStep step = file("a.txt", "one");
    StageState[] result = new StageState[1];
    Thread t = new Thread(() -> result[0] = runUnchecked(ex, step));
    t.start();
    while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TERMINATED) {
      Thread.onSpinWait();
    }
    assertEquals(1, step.prepared, "prepared before the gate opens");
    for (CacheRecord.Layer l : record.layers()) {
      try (var in = other.store.blobs().open(l.blob().digest())) {
        engine.store.blobs().put(in, l.blob().digest());
      }
      engine.store.layers().register(l.diffId(), l.blob());
    }
    engine.store.cache().put(made.key().hex(), record);
    imported.countDown();
    t.join();
    assertTrue(step.executedWith.isEmpty(), "the imported record was found");
    assertEquals(made.layers(), result[0].layers());
    assertEquals(1, ex.cached());
  }

  @Test
  void theKeyChangesWithTheStepsInputsAndItsParentOnly() throws Exception {
    StageState a = run(engine.executor(false), file("a.txt", "one"), scratch);
    StageState same = run(engine.executor(false), file("a.txt", "one"), scratch);
    StageState changed = run(engine.executor(false), file("a.txt", "two"), scratch);
    StageState otherParent =
        run(engine.executor(false), file("a.txt", "one"), scratch.withKey(a.key(), false));
    assertEquals(a.key(), same.key());
    assertNotEquals(a.key(), changed.key());
    assertNotEquals(a.key(), otherParent.key());
  }

  @Test
  void anIndependentStepsKeyIgnoresTheParent() throws Exception {
    StageState a =
        run(engine.executor(false), new FileStep(engine.store, "a.txt", "one", true), scratch);
    FileStep onOther = new FileStep(engine.store, "a.txt", "one", true);
    StageState b = run(engine.executor(false), onOther, scratch.withKey(a.key(), false));
    assertEquals(a.key(), b.key());
    assertTrue(onOther.executedWith.isEmpty(), "reused although the parent differs");
  }

  @Test
  void sourceDateEpochEntersTheKey() throws Exception {
    StageState plain = run(engine.executor(false), file("a.txt", "one"), scratch);
    engine.sourceDateEpoch = Instant.parse("2020-01-01T00:00:00Z");
    StageState epoch = run(engine.executor(false), file("a.txt", "one"), scratch);
    assertNotEquals(plain.key(), epoch.key());
  }

  @Test
  void aMissExplainsWhatChanged() throws Exception {
    StepExecutor first = engine.executor(false);
    run(first, file("a.txt", "one"), scratch);
    first.explainer().save();
    run(engine.executor(false), file("a.txt", "two"), scratch);
    assertEquals(
        "finished [1/2] FILE a.txt (content:a.txt changed)",
        engine.progress.events("finished").getLast());
  }

  @Test
  void noCacheExecutesEvenWithARecordAndSaysWhy() throws Exception {
    run(engine.executor(false), file("a.txt", "one"), scratch);
    FileStep again = file("a.txt", "one");
    run(engine.executor(true), again, scratch);
    assertEquals(1, again.executedWith.size());
    assertEquals(
        "finished [1/2] FILE a.txt (--no-cache)", engine.progress.events("finished").getLast());
  }

  @Test
  void afterAMissInTheStageLaterStepsSkipTheLookup() throws Exception {
    StageState recorded = run(engine.executor(false), file("a.txt", "one"), scratch);
    FileStep again = file("a.txt", "one");
    StageState after = run(engine.executor(false), again, scratch.withKey(scratch.key(), true));
    assertEquals(recorded.key(), after.key());
    assertEquals(1, again.executedWith.size(), "looked up although an earlier step missed");
  }

  @Test
  void metadataStepsChangeTheConfigAndAddAnEmptyLayerHistoryEntry() throws Exception {
    MetadataStep env = new MetadataStep("env", "ENV A=1", "ENV A=1", c -> c.withEnv("A", "1"));
    StageState after = run(engine.executor(false), env, scratch).complete();
    assertEquals(List.of("A=1"), Plans.ownEnv(after.config().configOrEmpty().env()));
    History h = after.config().historyOrEmpty().getLast();
    assertEquals("ENV A=1", h.createdBy());
    assertTrue(h.emptyLayer());
    assertEquals(Engine.NOW, h.createdInstant());
    assertTrue(after.layers().isEmpty());
  }

  @Test
  void aFailingStepIsReportedAndNothingIsRecorded() throws Exception {
    Step<Step.Nothing> failing =
        new Step<>() {
          @Override
          public String kind() {
            return "fail";
          }

          @Override
          public Nothing prepare(KeyBuilder key, StageState state) {
            key.put("x", "y");
            return Nothing.INSTANCE;
          }

          @Override
          public boolean producesLayer() {
            return true;
          }

          @Override
          public Optional<CacheRecord.Layer> execute(
              Nothing p, StageState state, Execution execution) throws StepFailure {
            throw new StepFailure("it broke");
          }

          @Override
          public String createdBy() {
            return "FAIL";
          }
        };
    StepExecutor ex = engine.executor(false);
    StepFailure f = assertThrows(StepFailure.class, () -> run(ex, failing, scratch));
    assertEquals("it broke", f.getMessage());
    assertEquals("failed [1/2] FAIL: it broke", engine.progress.events("failed").getLast());
    assertEquals(List.of(), engine.store.cache().keys().stream().toList());
  }

  @Test
  void aFailingPrepareIsReportedAndNothingRuns() {
    FileStep never = file("a.txt", "one");
    Step<Resolved> failing =
        new Step<>() {
          @Override
          public String kind() {
            return "file";
          }

          @Override
          public Resolved prepare(KeyBuilder key, StageState state) throws StepFailure {
            throw new StepFailure("no such source");
          }

          @Override
          public boolean producesLayer() {
            return true;
          }

          @Override
          public Optional<CacheRecord.Layer> execute(
              Resolved p, StageState state, Execution execution) throws IOException {
            return never.execute(p, state, execution);
          }

          @Override
          public String createdBy() {
            return "COPY x";
          }
        };
    StepExecutor ex = engine.executor(false);
    assertThrows(StepFailure.class, () -> run(ex, failing, scratch));
    assertTrue(never.executedWith.isEmpty());
    assertEquals(List.of("failed [1/2] COPY x: no such source"), engine.progress.events());
  }

  @Test
  void historyEntriesStayAsideUntilTheStageIsComplete() throws Exception {
    StageState s = scratch;
    StepExecutor ex = engine.executor(false);
    for (int i = 0; i < 3; i++) {
      s = run(ex, new MetadataStep("label", "L" + i, "LABEL " + i, c -> c), s);
    }
    assertEquals(0, s.config().historyOrEmpty().size());
    List<History> h = s.complete().config().historyOrEmpty();
    assertEquals(
        List.of("LABEL 0", "LABEL 1", "LABEL 2"), h.stream().map(History::createdBy).toList());
  }

  @Test
  void theKeysOfTheBuildAreListed() throws Exception {
    StepExecutor ex = engine.executor(false);
    StageState a = run(ex, file("a.txt", "one"), scratch);
    StageState b = run(ex, file("b.txt", "two"), a);
    assertEquals(java.util.Set.of(a.key().hex(), b.key().hex()), java.util.Set.copyOf(ex.keys()));
  }
}
