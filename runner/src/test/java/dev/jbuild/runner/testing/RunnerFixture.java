package dev.jbuild.runner.testing;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.OutputSink;
import dev.jbuild.runner.RunRequest;
import dev.jbuild.runner.RunResult;
import dev.jbuild.runner.Runner;
import dev.jbuild.runner.sys.MountTable;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A store with busybox images and helpers to run steps and look at their output. */
public final class RunnerFixture implements AutoCloseable {
  public final Path root;
  public final Store store;
  public final Runner runner = Runner.create();
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

  public RunnerFixture(Path root) throws IOException {
    this.root = root;
    this.store = Store.open(root);
  }

  /** The diff IDs of a busybox image with {@code layers} layers (tagged {@code tag}). */
  public List<Digest> busybox(String tag, int layers) throws IOException {
    Descriptor d = TestImages.busybox(store, tag, TestImages.Options.layers(layers));
    return store.images().image(d).config().diffIds();
  }

  public RunRequest shell(List<Digest> layers, String script) {
    return RunRequest.of(store, layers, List.of("/bin/sh", "-c", script)).withOutput(sink());
  }

  public OutputSink sink() {
    return (stream, line) -> lines.add((stream == OutputSink.Stream.STDERR ? "E " : "") + line);
  }

  public RunResult run(RunRequest r) throws IOException, InterruptedException {
    lines.clear();
    return runner.run(r);
  }

  /** Output lines of the last run; stderr lines start with "E ". */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /** Layer chain plus the step's layer, if any. */
  public static List<Digest> plus(List<Digest> chain, RunResult r) {
    List<Digest> out = new ArrayList<>(chain);
    r.layer().ifPresent(l -> out.add(l.diffId()));
    return out;
  }

  /** Nothing of a run is left: no run directory, no mount below the store, no runtime state. */
  public List<String> leftovers() throws IOException {
    runner.close(); // the build's shared network ends with the build
    List<String> out = new ArrayList<>();
    for (Path p : MountTable.under(root)) {
      out.add("mount " + p);
    }
    Path runs = root.resolve("runs");
    if (Files.isDirectory(runs)) {
      try (var s = Files.list(runs)) {
        s.forEach(p -> out.add("run dir " + p.getFileName()));
      }
    }
    Path state = root.resolve("runc");
    if (Files.isDirectory(state)) {
      try (var s = Files.list(state)) {
        s.forEach(p -> out.add("runtime state " + p.getFileName()));
      }
    }
    return out;
  }

  @Override
  public void close() throws IOException {
    runner.close();
    store.close();
  }
}
