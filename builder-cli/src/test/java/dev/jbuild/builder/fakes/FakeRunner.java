package dev.jbuild.builder.fakes;

import dev.jbuild.layercache.compress.Compression;
import dev.jbuild.layercache.store.fixtures.SampleImages;
import dev.jbuild.runner.OutputSink;
import dev.jbuild.runner.RunMount;
import dev.jbuild.runner.RunRequest;
import dev.jbuild.runner.RunResult;
import dev.jbuild.runner.Runner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link Runner} that runs nothing: it records each request (and the content of the regular files
 * bound into it, which the step deletes afterwards), prints canned output lines and answers with a
 * canned exit code and diff layer (written into the request's store).
 */
public final class FakeRunner implements Runner {
  private final List<RunRequest> requests = Collections.synchronizedList(new ArrayList<>());
  private final List<Map<String, String>> boundFiles =
      Collections.synchronizedList(new ArrayList<>());
  private volatile int exitCode;
  private volatile Map<String, String> diff = Map.of("out.txt", "made by RUN\n");
  private volatile List<String> output = List.of();
  private final java.util.concurrent.atomic.AtomicInteger expected =
      new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public void expect(dev.jbuild.layercache.store.Store store, dev.jbuild.runner.Network network) {
    expected.incrementAndGet();
  }

  /** How many times a build told the runner to prepare a network ahead ({@link #expect}). */
  public int expected() {
    return expected.get();
  }

  /** The exit code of the next runs. */
  public FakeRunner exitCode(int code) {
    this.exitCode = code;
    return this;
  }

  /** The files of the diff layer the next runs produce (empty: the command changed nothing). */
  public FakeRunner diff(Map<String, String> files) {
    this.diff = Map.copyOf(files);
    return this;
  }

  /** Lines the next runs print on stdout. */
  public FakeRunner output(String... lines) {
    this.output = List.of(lines);
    return this;
  }

  public List<RunRequest> requests() {
    return List.copyOf(requests);
  }

  public RunRequest last() {
    return requests.getLast();
  }

  /** For each request: target -> content of each regular file bound at run time. */
  public Map<String, String> boundFiles(int request) {
    return boundFiles.get(request);
  }

  @Override
  public RunResult run(RunRequest request) throws IOException {
    requests.add(request);
    Map<String, String> files = new LinkedHashMap<>();
    for (RunMount m : request.mounts()) {
      if (m instanceof RunMount.Bind b
          && Files.isRegularFile(b.source(), LinkOption.NOFOLLOW_LINKS)) {
        files.put(b.target(), Files.readString(b.source(), StandardCharsets.UTF_8));
      }
    }
    boundFiles.add(files);
    for (String line : output) {
      request.output().line(OutputSink.Stream.STDOUT, line);
    }
    if (exitCode != 0 || diff.isEmpty()) {
      return new RunResult(exitCode, Optional.empty(), Duration.ZERO);
    }
    SampleImages.Layer l = SampleImages.layer(request.store(), Compression.NONE, diff);
    return new RunResult(
        0, Optional.of(new RunResult.DiffLayer(l.blob(), l.diffId())), Duration.ZERO);
  }
}
