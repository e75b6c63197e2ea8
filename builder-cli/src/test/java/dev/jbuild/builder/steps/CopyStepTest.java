package dev.jbuild.builder.steps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.builder.cache.KeyBuilder;
import dev.jbuild.builder.core.StageState;
import dev.jbuild.builder.errors.StepFailure;
import dev.jbuild.builder.fakes.Engine;
import dev.jbuild.builder.fakes.Plans;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.CacheRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CopyStepTest {
  @TempDir Path dir;
  Engine engine;

  @BeforeEach
  void setUp() throws Exception {
    engine = new Engine(dir);
    engine.write("a.txt", "alpha\n");
    engine.write("src/main.c", "int main;\n");
    engine.write("src/lib/util.c", "int util;\n");
  }

  private CopyStep copy(String dockerfile) throws Exception {
    return (CopyStep) Plans.steps(dockerfile, Map.of(), engine.services()).getLast();
  }

  private KeyBuilder key(String dockerfile) throws Exception {
    KeyBuilder k = new KeyBuilder("copy");
    copy(dockerfile).prepare(k, Plans.scratch());
    return k;
  }

  private Optional<CacheRecord.Layer> execute(String dockerfile) throws Exception {
    CopyStep step = copy(dockerfile);
    StageState state = Plans.scratch();
    CopyStep.Prepared p = step.prepare(new KeyBuilder("copy"), state);
    return step.execute(p, state, new Step.Execution(line -> {}, null, false));
  }

  @Test
  void copiesFilesAndDirectoriesToTheDestination() throws Exception {
    CacheRecord.Layer layer = execute("FROM scratch\nCOPY a.txt src /app/\n").orElseThrow();
    assertEquals(
        Map.of(
            "app/a.txt", "alpha\n",
            "app/main.c", "int main;\n",
            "app/lib/util.c", "int util;\n"),
        engine.files(layer));
    TarArchiveEntry app = engine.entries(layer).get("app/");
    assertEquals(0755, app.getMode() & 07777);
    assertEquals(0, app.getLongUserId());
  }

  @Test
  void aRelativeDestinationIsBelowTheWorkdirAndChownAndChmodApply() throws Exception {
    CacheRecord.Layer layer =
        execute("FROM scratch\nWORKDIR /srv\nCOPY --chown=1000:2000 --chmod=600 a.txt conf/\n")
            .orElseThrow();
    TarArchiveEntry f = engine.entries(layer).get("srv/conf/a.txt");
    assertEquals(1000, f.getLongUserId());
    assertEquals(2000, f.getLongGroupId());
    assertEquals(0600, f.getMode() & 07777);
  }

  @Test
  void excludeAndParentsShapeTheLayer() throws Exception {
    CacheRecord.Layer excluded =
        execute("FROM scratch\nCOPY --exclude=lib src /s/\n").orElseThrow();
    assertEquals(Map.of("s/main.c", "int main;\n"), engine.files(excluded));
    CacheRecord.Layer parents =
        execute("FROM scratch\nCOPY --parents src/lib/util.c /p/\n").orElseThrow();
    assertEquals(Map.of("p/src/lib/util.c", "int util;\n"), engine.files(parents));
  }

  @Test
  void heredocsBecomeFiles() throws Exception {
    CacheRecord.Layer layer =
        execute("FROM scratch\nCOPY <<EOF /etc/motd\nhello\nEOF\n").orElseThrow();
    assertEquals(Map.of("etc/motd", "hello\n"), engine.files(layer));
  }

  @Test
  void aWildcardMatchingNothingGivesNoLayer() throws Exception {
    assertTrue(execute("FROM scratch\nCOPY *.none /x/\n").isEmpty());
  }

  @Test
  void aMissingSourceFailsNamingIt() throws Exception {
    StepFailure f =
        assertThrows(StepFailure.class, () -> key("FROM scratch\nCOPY missing.txt /\n"));
    assertTrue(f.getMessage().contains("missing.txt"), f.getMessage());
  }

  @Test
  void noContextSaysSo() throws Exception {
    engine.withoutContext();
    StepFailure f = assertThrows(StepFailure.class, () -> key("FROM scratch\nCOPY a.txt /\n"));
    assertEquals("COPY needs a build context, but the Dockerfile came without one", f.getMessage());
  }

  @Test
  void theKeyFollowsContentAndModeButNotMtime() throws Exception {
    String df = "FROM scratch\nCOPY src /s/\n";
    Digest base = key(df).digest();
    assertEquals(base, key(df).digest());

    Path util = engine.context.resolve("src/lib/util.c");
    Files.setLastModifiedTime(util, FileTime.from(Instant.parse("2001-01-01T00:00:00Z")));
    assertEquals(base, key(df).digest(), "an mtime alone changed the key");

    Files.writeString(util, "int util2;\n");
    KeyBuilder changed = key(df);
    assertNotEquals(base, changed.digest());

    Files.writeString(util, "int util;\n");
    assertEquals(base, key(df).digest());
    dev.jbuild.layercache.fs.Posix.chmod(util, 0700);
    assertNotEquals(base, key(df).digest());
  }

  @Test
  void theKeyFollowsFlagsAndDestinationButNotOtherFiles() throws Exception {
    Digest base = key("FROM scratch\nCOPY a.txt /x/\n").digest();
    assertNotEquals(base, key("FROM scratch\nCOPY a.txt /y/\n").digest());
    assertNotEquals(base, key("FROM scratch\nCOPY --chmod=644 a.txt /x/\n").digest());
    assertNotEquals(base, key("FROM scratch\nCOPY --link a.txt /x/\n").digest());
    engine.write("other.txt", "unrelated");
    assertEquals(base, key("FROM scratch\nCOPY a.txt /x/\n").digest());
  }

  @Test
  void copyFromKeysOnTheStageAndReadsItOnAMissOnly() throws Exception {
    engine.stages.put(0, Engine.emptyStage("one"));
    String df = "FROM scratch AS a\nFROM scratch\nCOPY --from=a /nothing* /x/\n";
    KeyBuilder one = key(df);
    assertEquals(Engine.emptyStage("one").key().toString(), one.components().get("from"));
    engine.stages.put(0, Engine.emptyStage("two"));
    assertNotEquals(one.digest(), key(df).digest());
    assertTrue(execute(df).isEmpty(), "an empty stage has nothing to copy");
    StepFailure f =
        assertThrows(
            StepFailure.class,
            () -> execute("FROM scratch AS a\nFROM scratch\nCOPY --from=a /bin/sh /x/\n"));
    assertTrue(f.getMessage().contains("source image"), f.getMessage());
  }

  @Test
  void executeUsesWhatPrepareResolvedNotTheContextAtExecuteTime() throws Exception {
    CopyStep step = copy("FROM scratch\nCOPY a.txt /\n");
    StageState state = Plans.scratch();
    CopyStep.Prepared p = step.prepare(new KeyBuilder("copy"), state);
    assertEquals(1, p.sources().size());
    CopySource.Context c = (CopySource.Context) p.sources().getFirst();
    assertEquals("a.txt", c.written());
    assertEquals(List.of("a.txt"), c.files().stream().map(f -> f.rel()).toList());
    assertTrue(p.fromImage().isEmpty());
  }

  @Test
  void addUnpacksLocalArchivesAndCopyDoesNot() throws Exception {
    Path tar = engine.context.resolve("files.tar");
    try (var out = Files.newOutputStream(tar);
        var t = new org.apache.commons.compress.archivers.tar.TarArchiveOutputStream(out)) {
      byte[] data = "inside\n".getBytes();
      TarArchiveEntry e = new TarArchiveEntry("in/x.txt");
      e.setSize(data.length);
      t.putArchiveEntry(e);
      t.write(data);
      t.closeArchiveEntry();
    }
    assertEquals(
        Map.of("d/in/x.txt", "inside\n"),
        engine.files(execute("FROM scratch\nADD files.tar /d/\n").orElseThrow()));
    assertTrue(
        engine
            .files(execute("FROM scratch\nCOPY files.tar /d/\n").orElseThrow())
            .containsKey("d/files.tar"));
  }
}
