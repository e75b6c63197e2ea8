package dev.jbuild.runner.chroot;

import dev.jbuild.runner.OutputSink;
import dev.jbuild.runner.RunnerErrors;
import dev.jbuild.runner.runc.LineReader;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a chroot step: a small JVM ({@link ChrootExec}: jbuild's own java and classpath, a client
 * compiler, serial GC, class data sharing, no signal handlers of its own) that chroots and becomes
 * the command, whose stdout and stderr go line by line to the sink; stdin is /dev/null.
 */
final class StepProcess {
  /** How long output is still read after the command exited (a background child may hold it). */
  private static final long DRAIN_MILLIS = 2000;

  private StepProcess() {}

  /** Runs {@code spec}; the command's exit status. */
  static int run(ExecSpec spec, Path dir, OutputSink sink)
      throws IOException, InterruptedException {
    Path specFile = dir.resolve("exec.spec");
    Path errorFile = dir.resolve("exec.error");
    try (OutputStream out = Files.newOutputStream(specFile)) {
      spec.write(out);
    }
    Files.deleteIfExists(errorFile);
    List<String> cmd = new ArrayList<>();
    cmd.add(java());
    cmd.addAll(
        List.of(
            "-Xrs",
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xshare:auto",
            "-XX:-UsePerfData",
            "-Xss512k",
            "-Xmx64m",
            "--enable-native-access=ALL-UNNAMED",
            "-cp",
            System.getProperty("java.class.path"),
            ChrootExec.class.getName(),
            specFile.toString(),
            errorFile.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().clear();
    Process p = pb.start();
    Thread out =
        Thread.ofVirtual()
            .start(new LineReader(p.getInputStream(), OutputSink.Stream.STDOUT, sink));
    Thread err =
        Thread.ofVirtual()
            .start(new LineReader(p.getErrorStream(), OutputSink.Stream.STDERR, sink));
    int rc;
    try {
      rc = p.waitFor();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      p.waitFor(5, TimeUnit.SECONDS);
      throw e;
    }
    long deadline = System.currentTimeMillis() + DRAIN_MILLIS;
    for (Thread t : List.of(out, err)) {
      t.join(Math.max(1, deadline - System.currentTimeMillis()));
    }
    p.getInputStream().close();
    p.getErrorStream().close();
    if (!Files.exists(errorFile)) {
      throw RunnerErrors.chrootFailed(
          "the chroot helper (a java process) failed, exit status " + rc);
    }
    if (Files.size(errorFile) > 0) {
      String message = Files.readString(errorFile, StandardCharsets.UTF_8).strip();
      throw RunnerErrors.chrootExecFailed(message, rc == 126 || rc == 127 ? rc : 125);
    }
    return rc;
  }

  /** The java launcher running this process. */
  private static String java() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }
}
