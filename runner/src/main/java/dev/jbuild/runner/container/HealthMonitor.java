package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.HealthConfig;
import dev.jbuild.runner.runc.OciRuntime;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The healthcheck of a running container ({@code healthcheck.json}: the image's HEALTHCHECK with
 * {@code --health-*} applied), probed by its monitor as Docker does: the first probe one interval
 * after the start, each one {@code runc exec} of the test (CMD-SHELL through /bin/sh -c) killed
 * after the timeout; "starting" until the first success, "healthy" after a success, "unhealthy"
 * after {@code retries} consecutive failures (failures within the start period do not count). The
 * status and the last 5 results go to {@code state.json}.
 */
final class HealthMonitor {
  static final String FILE = "healthcheck.json";
  private static final int MAX_OUTPUT = 4096;
  private static final int MAX_LOG = 5;
  private static final Object STATE_LOCK = new Object();

  private final Thread thread;
  private volatile boolean closed;

  private HealthMonitor(Thread thread) {
    this.thread = thread;
  }

  static HealthMonitor start(Path cdir, ContainerRecord rec, OciRuntime rt) throws IOException {
    HealthConfig hc = read(cdir);
    if (hc == null) {
      return new HealthMonitor(null);
    }
    update(cdir, "starting", 0, List.of());
    HealthMonitor[] self = new HealthMonitor[1];
    Thread t =
        Thread.ofPlatform()
            .daemon()
            .name("health")
            .unstarted(() -> self[0].loop(cdir, rec.id(), rt, hc));
    self[0] = new HealthMonitor(t);
    t.start();
    return self[0];
  }

  /** The container's healthcheck, null when it has none (or HEALTHCHECK NONE). */
  static HealthConfig read(Path cdir) throws IOException {
    try {
      HealthConfig hc = new HealthConfig(Json.parseObject(Files.readAllBytes(cdir.resolve(FILE))));
      List<String> test = hc.test();
      if (test == null || test.isEmpty() || test.getFirst().equals("NONE")) {
        return null;
      }
      return hc;
    } catch (NoSuchFileException | IllegalArgumentException e) {
      return null;
    }
  }

  private void loop(Path cdir, String id, OciRuntime rt, HealthConfig hc) {
    Duration interval = orDefault(hc.interval(), Duration.ofSeconds(30));
    Duration timeout = orDefault(hc.timeout(), Duration.ofSeconds(30));
    Duration startPeriod = orDefault(hc.startPeriod(), Duration.ZERO);
    int retries = hc.retries() == null || hc.retries() < 1 ? 3 : hc.retries();
    List<String> test = hc.test();
    List<String> argv =
        test.getFirst().equals("CMD-SHELL")
            ? List.of("/bin/sh", "-c", String.join(" ", test.subList(1, test.size())))
            : test.getFirst().equals("CMD") ? test.subList(1, test.size()) : test;
    Instant started = Instant.now();
    String status = "starting";
    int streak = 0;
    List<JsonObject> log = new ArrayList<>();
    try {
      while (!closed) {
        Thread.sleep(interval.toMillis());
        if (closed) {
          return;
        }
        Instant begin = Instant.now();
        int code;
        String output;
        List<String> cmd =
            new ArrayList<>(
                List.of(rt.binary().toString(), "--root", rt.stateRoot().toString(), "exec", id));
        cmd.addAll(argv);
        Process p =
            new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .start();
        byte[] out = new byte[MAX_OUTPUT];
        int[] n = {0};
        Thread reader =
            Thread.ofVirtual()
                .start(
                    () -> {
                      try (InputStream in = p.getInputStream()) {
                        byte[] buf = new byte[1024];
                        int r;
                        while ((r = in.read(buf)) > 0) {
                          int keep = Math.min(r, MAX_OUTPUT - n[0]);
                          System.arraycopy(buf, 0, out, n[0], keep);
                          n[0] += keep;
                        }
                      } catch (IOException e) {
                        // ended
                      }
                    });
        if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          reader.join(1000);
          code = p.exitValue();
          output = new String(out, 0, n[0], StandardCharsets.UTF_8);
        } else {
          p.destroyForcibly();
          code = -1;
          output = "Health check exceeded timeout (" + timeout.toSeconds() + "s)";
        }
        if (closed) {
          return;
        }
        if (code == 0) {
          status = "healthy";
          streak = 0;
        } else if (Duration.between(started, begin).compareTo(startPeriod) >= 0) {
          streak++;
          if (streak >= retries) {
            status = "unhealthy";
          }
        }
        log.add(
            JsonObject.builder()
                .put("Start", begin.toString())
                .put("End", Instant.now().toString())
                .put("ExitCode", code)
                .put("Output", output)
                .build());
        while (log.size() > MAX_LOG) {
          log.removeFirst();
        }
        update(cdir, status, streak, log);
      }
    } catch (InterruptedException e) {
      // closed
    } catch (IOException | RuntimeException e) {
      // the container is going away
    }
  }

  private static void update(Path cdir, String status, int streak, List<JsonObject> log)
      throws IOException {
    synchronized (STATE_LOCK) {
      RunState s = RunState.read(cdir).orElse(null);
      if (s != null) {
        s.withHealth(status, streak, log).write(cdir);
      }
    }
  }

  private static Duration orDefault(Duration d, Duration def) {
    return d == null || d.isZero() ? def : d;
  }

  /** Stops probing (the container exited), waiting for a probe under way. */
  void close() throws InterruptedException {
    closed = true;
    if (thread != null) {
      thread.interrupt();
      thread.join(5000);
    }
  }
}
