package dev.jbuild.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.model.Digest;
import dev.jbuild.runner.testing.RunMain;
import dev.jbuild.runner.testing.RunnerFixture;
import dev.jbuild.testing.HostServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A jbuild process killed during a RUN leaves nothing behind once jbuild starts again; one stopped
 * by SIGTERM or Ctrl-C cleans up itself. Needs root, runc and overlayfs.
 */
class CleanupIT {
  @TempDir Path tmp;

  Process child(RunnerFixture f, List<Digest> chain, String script) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElseThrow());
    cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-Xmx128m", "-cp"));
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(RunMain.class.getName());
    cmd.add(f.root.toString());
    cmd.add(Files.createDirectories(tmp.resolve("host")).toString());
    cmd.add(script);
    chain.forEach(d -> cmd.add(d.toString()));
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(tmp.resolve("child.log").toFile())
        .start();
  }

  void awaitFile(Path p, Process child) throws Exception {
    for (int i = 0; i < 600 && !Files.exists(p); i++) {
      assertTrue(child.isAlive(), () -> "child died: " + log());
      Thread.sleep(50);
    }
    assertTrue(Files.exists(p), () -> "child never started its step: " + log());
  }

  String log() {
    try {
      return Files.readString(tmp.resolve("child.log"));
    } catch (IOException e) {
      return e.toString();
    }
  }

  static boolean sleepRunning() throws IOException {
    try (var s = Files.list(Path.of("/proc"))) {
      return s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
          .anyMatch(
              p -> {
                try {
                  return Files.readString(p.resolve("cmdline")).equals("sleep\u000030\u0000");
                } catch (IOException e) {
                  return false;
                }
              });
    }
  }

  @Test
  void killMinus9DuringARunIsSweptAtTheNextStart() throws Exception {
    try (RunnerFixture f = new RunnerFixture(tmp.resolve("store"))) {
      List<Digest> chain = f.busybox("busybox", 1);
      Process child = child(f, chain, "touch /host/ready; exec sleep 30");
      awaitFile(tmp.resolve("host/ready"), child);
      assertTrue(sleepRunning());
      assertEquals(1, HostServer.slirpProcesses(f.root).size(), "the step's network stack");
      child.destroyForcibly(); // SIGKILL: no shutdown hook runs
      child.waitFor(10, TimeUnit.SECONDS);
      // slirp4netns reads EOF on its exit fd (a pipe of the killed JVM) and ends by itself
      assertEquals(List.of(), HostServer.awaitNoSlirp(f.root), "slirp4netns outlived jbuild");
      List<String> left = f.leftovers();
      assertFalse(left.isEmpty(), "the killed process left its run behind");
      assertTrue(left.stream().anyMatch(l -> l.startsWith("mount ")), left.toString());

      Process next = child(f, chain, "true");
      assertTrue(next.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, next.exitValue(), log());
      assertEquals(List.of(), f.leftovers());
      for (int i = 0; i < 100 && sleepRunning(); i++) {
        Thread.sleep(50);
      }
      assertFalse(sleepRunning(), "the killed run's container is gone");
      // the killed JVM's slirp4netns read EOF on its exit fd and ended; the sweep unmounted its
      // network namespace (no mount left, checked above)
      assertEquals(List.of(), HostServer.awaitNoSlirp(f.root), "slirp4netns left running");
    }
  }

  @Test
  void sigtermDuringARunCleansUpAtOnce() throws Exception {
    try (RunnerFixture f = new RunnerFixture(tmp.resolve("store"))) {
      List<Digest> chain = f.busybox("busybox", 1);
      Process child = child(f, chain, "touch /host/ready; exec sleep 30");
      awaitFile(tmp.resolve("host/ready"), child);
      assertEquals(1, HostServer.slirpProcesses(f.root).size(), "the step's network stack");
      child.destroy(); // SIGTERM: the shutdown hook cleans up
      assertTrue(child.waitFor(30, TimeUnit.SECONDS));
      assertEquals(List.of(), f.leftovers(), log());
      assertEquals(List.of(), HostServer.slirpProcesses(f.root), "slirp4netns left running");
      assertFalse(sleepRunning());
    }
  }
}
