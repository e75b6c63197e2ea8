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
    try (Sandbox sb = Sandbox.open(RunDir.create(store), runtime, List.of(lower))) {
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
      int rc = sb.await(sb.start(RuntimeIo.lines(sink)));
      sb.unmount();
      assertEquals(3, rc);
      assertTrue(lines.contains("STDOUT hi"), lines.toString());
      assertTrue(lines.contains("STDOUT box"), lines.toString());
      assertTrue(lines.contains("STDOUT /work/dir"), lines.toString());
      assertTrue(lines.contains("STDERR err"), lines.toString());
      // the upper holds the step's changes; the runtime's mount stubs are gone
      try (var s = Files.walk(sb.upper())) {
        assertEquals(
            List.of("", "etc", "work", "work/dir", "x"),
            s.map(p -> sb.upper().relativize(p).toString()).sorted().toList());
      }
    }
    try (var s = Files.list(store.resolve("runs"))) {
      assertEquals(0, s.count());
    }
  }
}
