package dev.jbuild.bench.runner;

import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.model.Digest;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.runner.Network;
import dev.jbuild.runner.OutputSink;
import dev.jbuild.runner.RunRequest;
import dev.jbuild.runner.RunResult;
import dev.jbuild.runner.Runner;
import dev.jbuild.runner.exec.ProcessSpec;
import dev.jbuild.runner.exec.Runtimes;
import dev.jbuild.runner.exec.Sandbox;
import dev.jbuild.runner.exec.SandboxRunner;
import dev.jbuild.runner.runc.OciRuntime;
import dev.jbuild.runner.runc.RuntimeIo;
import dev.jbuild.runner.workspace.RunDir;
import dev.jbuild.testing.BusyboxRootfs;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * RUN step timings: {@code RunnerBench STORE_DIR STEPS} prints markdown rows for
 *
 * <ul>
 *   <li>a RUN of {@code true} on a 10-layer busybox image, whole step through {@link Runner} and
 *       split into its phases (mount, prepare, runtime, unmount, diff);
 *   <li>{@code runc run} alone on a prepared bundle (the floor jbuild cannot go under);
 *   <li>a RUN writing 10,000 files, and the diff capture of it alone.
 * </ul>
 */
public final class RunnerBench {
  private RunnerBench() {}

  public static void main(String[] args) throws Exception {
    Path root = Path.of(args[0]);
    int steps = Integer.parseInt(args[1]);
    try (Store store = Store.open(root)) {
      Descriptor d = TestImages.busybox(store, "bb10", TestImages.Options.layers(10));
      List<Digest> chain = store.images().image(d).config().diffIds();
      Runner runner = Runner.create();
      RunRequest trueStep =
          RunRequest.of(store, chain, List.of("/bin/sh", "-c", "true")).withNetwork(Network.HOST);
      RunRequest privateStep = trueStep.withNetwork(Network.PRIVATE);
      for (int i = 0; i < 10; i++) {
        runner.run(trueStep);
        runner.run(privateStep);
      }
      double[] whole = new double[steps];
      double[] wholePrivate = new double[steps];
      for (int i = 0; i < steps; i++) {
        long t = System.nanoTime();
        RunResult r = runner.run(trueStep);
        whole[i] = ms(t);
        check(r);
        t = System.nanoTime();
        r = runner.run(privateStep);
        wholePrivate[i] = ms(t);
        check(r);
      }
      row("RUN true, 10-layer busybox, whole step (Runner.run), host network", whole);
      row("RUN true, the same, default network (the build's netns + slirp4netns)", wholePrivate);
      runner.close();
      double[] firstPrivate = new double[Math.max(3, steps / 4)];
      for (int i = 0; i < firstPrivate.length; i++) {
        long t = System.nanoTime();
        RunResult r = runner.run(privateStep);
        firstPrivate[i] = ms(t);
        check(r);
        runner.close();
      }
      row("RUN true, the same, default network, first step of a build (starts it)", firstPrivate);

      double[][] phases = new double[6][steps];
      OciRuntime runtime = Runtimes.forStore(store.root(), Path.of("runc"));
      List<Path> lowers = store.layers().unpacked(chain).reversed();
      for (int i = 0; i < steps; i++) {
        timePhases(store, runtime, lowers, List.of("/bin/sh", "-c", "true"), phases, i);
      }
      String[] names = {
        "mount overlay",
        "prepare (user, workdir, config.json)",
        "runc run",
        "unmount",
        "diff",
        "remove the run directory"
      };
      for (int p = 0; p < names.length; p++) {
        row("  of which: " + names[p], phases[p]);
      }

      row("runc run alone (static rootfs, same config)", runcAlone(root, steps));

      String write10k =
          "mkdir /data && cd /data && i=0; while [ $i -lt 10000 ]; do echo $i > f$i; i=$((i+1)); done";
      int n = Math.max(3, steps / 10);
      double[] bigWhole = new double[n];
      double[][] bigPhases = new double[6][n];
      for (int i = 0; i < n; i++) {
        long t = System.nanoTime();
        RunResult r = runner.run(RunRequest.of(store, chain, List.of("/bin/sh", "-c", write10k)));
        bigWhole[i] = ms(t);
        check(r);
        timePhases(store, runtime, lowers, List.of("/bin/sh", "-c", write10k), bigPhases, i);
      }
      row("RUN writing 10,000 files, whole step", bigWhole);
      row("  of which: the shell loop in runc", bigPhases[2]);
      row("  of which: diff capture (walk, tar, sha256, blob, adopt)", bigPhases[4]);
    }
  }

  private static void timePhases(
      Store store, OciRuntime runtime, List<Path> lowers, List<String> argv, double[][] out, int i)
      throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    long t5;
    Sandbox sb = Sandbox.open(RunDir.create(store.root()), runtime, lowers);
    try {
      long t1 = System.nanoTime();
      sb.prepare(
          new ProcessSpec(argv, List.of(), "", "/", "bench", Network.HOST, List.of(), false));
      long t2 = System.nanoTime();
      int rc = sb.await(sb.start(RuntimeIo.lines(OutputSink.discard())));
      long t3 = System.nanoTime();
      sb.unmount();
      long t4 = System.nanoTime();
      SandboxRunner.capture(store, sb, lowers, null);
      t5 = System.nanoTime();
      if (rc != 0) {
        throw new IllegalStateException("step failed: " + rc);
      }
      out[0][i] = (t1 - t0) / 1e6;
      out[1][i] = (t2 - t1) / 1e6;
      out[2][i] = (t3 - t2) / 1e6;
      out[3][i] = (t4 - t3) / 1e6;
      out[4][i] = (t5 - t4) / 1e6;
    } finally {
      sb.close();
    }
    out[5][i] = (System.nanoTime() - t5) / 1e6;
  }

  private static double[] runcAlone(Path root, int steps) throws Exception {
    Path bundle = root.resolve("bench-bundle");
    if (!Files.isDirectory(bundle.resolve("rootfs"))) {
      BusyboxRootfs.write(bundle.resolve("rootfs"));
      for (String d : List.of("proc", "sys", "dev", "etc")) {
        Files.createDirectories(bundle.resolve("rootfs").resolve(d));
      }
      Files.writeString(bundle.resolve("rootfs/etc/hosts"), "");
      Files.writeString(bundle.resolve("rootfs/etc/resolv.conf"), "");
    }
    // the same config.json a step gets, from a throwaway sandbox of the static rootfs
    Path state = root.resolve("bench-runc");
    OciRuntime runtime = OciRuntime.of(Path.of("runc"), state);
    try (Store store = Store.open(root);
        Sandbox sb =
            Sandbox.open(RunDir.create(store.root()), runtime, List.of(bundle.resolve("rootfs")))) {
      sb.prepare(
          new ProcessSpec(
              List.of("/bin/sh", "-c", "true"),
              List.of(),
              "",
              "/",
              "bench",
              Network.HOST,
              List.of(),
              false));
      String config = Files.readString(sb.dir().bundle().resolve("config.json"));
      config =
          config.replaceAll(
              "\"source\":\"[^\"]*/etc/(hosts|resolv.conf)\"",
              "\"source\":\"" + bundle.resolve("rootfs/etc") + "/$1\"");
      Files.writeString(bundle.resolve("config.json"), config, StandardCharsets.UTF_8);
    }
    double[] out = new double[steps];
    for (int i = -5; i < steps; i++) {
      long t = System.nanoTime();
      Process p =
          new ProcessBuilder(
                  "runc",
                  "--root",
                  state.toString(),
                  "run",
                  "--bundle",
                  bundle.toString(),
                  "--no-new-keyring",
                  "bench-" + i)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectErrorStream(true)
              .start();
      if (p.waitFor() != 0) {
        throw new IOException("runc run failed");
      }
      if (i >= 0) {
        out[i] = ms(t);
      }
    }
    return out;
  }

  private static void check(RunResult r) {
    if (r.exitCode() != 0) {
      throw new IllegalStateException("step failed: " + r.exitCode());
    }
  }

  private static double ms(long start) {
    return (System.nanoTime() - start) / 1e6;
  }

  private static void row(String what, double[] samples) {
    double[] s = samples.clone();
    Arrays.sort(s);
    double median = s[s.length / 2];
    double p90 = s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.9) - 1)];
    System.out.printf("| %s | %.1f | %.1f | %.1f | %d |%n", what, median, s[0], p90, s.length);
  }
}
