package dev.jbuild.builder.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.Store;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MissExplainerTest {
  @TempDir Path dir;
  Store store;
  String position = MissExplainer.position(0, "3");

  @BeforeEach
  void open() throws Exception {
    store = Store.open(dir.resolve("store"));
  }

  private static Map<String, String> inputs(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  /** A first build ran the step with {@code before}; returns the explainer of the next build. */
  private MissExplainer afterBuildWith(Map<String, String> before) {
    MissExplainer first = new MissExplainer(store, "Dockerfile");
    Digest key = Digest.sha256(before.toString().getBytes());
    first.recordInputs(key, before);
    first.remember(position, key);
    first.save();
    return new MissExplainer(store, "Dockerfile");
  }

  @Test
  void aNewPositionHasNoExplanation() {
    MissExplainer e = new MissExplainer(store, "Dockerfile");
    assertNull(e.previousKey(position));
    assertEquals("", e.explain(position, inputs("parent", "p1")));
  }

  @Test
  void namesTheFileThatChangedAddedOrRemoved() {
    MissExplainer e =
        afterBuildWith(inputs("parent", "p1", "file:a.txt", "644 h1", "file:b.txt", "644 h2"));
    assertEquals(
        "file b.txt changed",
        e.explain(
            position, inputs("parent", "p1", "file:a.txt", "644 h1", "file:b.txt", "644 h3")));
    assertEquals(
        "file b.txt removed", e.explain(position, inputs("parent", "p1", "file:a.txt", "644 h1")));
    assertEquals(
        "file c.txt added",
        e.explain(
            position,
            inputs(
                "parent",
                "p1",
                "file:a.txt",
                "644 h1",
                "file:b.txt",
                "644 h2",
                "file:c.txt",
                "1")));
  }

  @Test
  void namesEnvUrlsAndBindMountFiles() {
    MissExplainer e =
        afterBuildWith(
            inputs("parent", "p", "env:LATE", "1", "url:http://x/y", "d1", "mount:0:src/m.c", "a"));
    assertEquals(
        "file src/m.c changed (bind mount); env LATE changed; content of http://x/y changed",
        e.explain(
            position,
            inputs(
                "parent", "p", "env:LATE", "2", "url:http://x/y", "d2", "mount:0:src/m.c", "b")));
  }

  @Test
  void onlyTheParentChangedSaysAPreviousStepChanged() {
    MissExplainer e = afterBuildWith(inputs("parent", "p1", "argv", "make"));
    assertEquals(
        "a previous step changed", e.explain(position, inputs("parent", "p2", "argv", "make")));
    assertEquals("argv changed", e.explain(position, inputs("parent", "p2", "argv", "make all")));
  }

  @Test
  void namesThreeFilesAndCountsTheRest() {
    Map<String, String> before = inputs("parent", "p");
    Map<String, String> now = inputs("parent", "p");
    for (int i = 0; i < 5; i++) {
      before.put("file:f" + i, "old");
      now.put("file:f" + i, "new");
    }
    assertEquals(
        "file f0 changed, f1 changed, f2 changed and 2 more",
        afterBuildWith(before).explain(position, now));
  }

  @Test
  void positionsAreKeptPerDockerfile() {
    afterBuildWith(inputs("parent", "p1"));
    assertNull(new MissExplainer(store, "Other.Dockerfile").previousKey(position));
    assertEquals(
        Digest.sha256(inputs("parent", "p1").toString().getBytes()).hex(),
        new MissExplainer(store, "Dockerfile").previousKey(position));
  }
}
