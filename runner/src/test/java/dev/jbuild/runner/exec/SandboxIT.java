package dev.jbuild.runner.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.runner.Network;
import dev.jbuild.runner.OutputSink;
import dev.jbuild.runner.runc.OciRuntime;
import dev.jbuild.runner.runc.RuntimeIo;
import dev.jbuild.runner.workspace.RunDir;
import dev.jbuild.testing.BusyboxRootfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Needs root, runc and overlayfs. */
class SandboxIT {
  @TempDir Path tmp;

  @Test
  void runsACommandInTheOverlay() throws Exception {
    Path lower = tmp.resolve("lower");
    BusyboxRootfs.write(lower);
    Path store = tmp.resolve("store");
    OciRuntime runtime = OciRuntime.of(Path.of("runc"), store.resolve("runc"));
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    OutputSink sink = (s, l) -> lines.add(s + " " + l);
    long t0 = System.nanoTime();
    try (Sandbox sb = Sandbox.open(RunDir.create(store), runtime, List.of(lower))) {
      long t1 = System.nanoTime();
      sb.prepare(
          new ProcessSpec(
              List.of(
                  "/bin/sh",
                  "-c",
                  "echo hi; id; hostname; pwd; echo err >&2; echo new > /x; exit 3"),
              List.of(),
              "",
              "/work/dir",
              "box",
              Network.NONE,
              List.of(),
              false));
      long t2 = System.nanoTime();
      int rc = sb.await(sb.start(RuntimeIo.lines(sink)));
      long t3 = System.nanoTime();
      sb.unmount();
      long t4 = System.nanoTime();
      System.out.printf(
          "open %.1f prepare %.1f run %.1f unmount %.1f%n",
          (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6);
      assertEquals(3, rc);
      System.out.println(lines);
      assertTrue(lines.contains("STDOUT hi"));
      assertTrue(lines.contains("STDERR err"));
      try (var s = Files.walk(sb.upper())) {
        s.forEach(System.out::println);
      }
    }
    try (var s = Files.list(store.resolve("runs"))) {
      assertEquals(0, s.count());
    }
  }
}
