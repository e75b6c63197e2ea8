package dev.jbuild.runner.container;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.store.AtomicFiles;
import dev.jbuild.runner.runc.OciRuntime;
import dev.jbuild.runner.sys.Syscalls;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code exec -d} through the container's monitor, so that the detached process has a parent that
 * reaps it. {@code runc exec --detach} leaves the process it started to whoever adopts orphans: run
 * by the short-lived jbuild command, that was the host's init, which may never reap (a container's
 * init, a VM agent), and the zombies stayed. The monitor is a child subreaper (prctl), runs the
 * request's {@code runc exec --detach} itself, and reaps the adopted processes when they exit:
 * those of its children whose pid namespace is nested below its own (the container's), never a
 * process it started itself, whose exit status Java's own reaper collects.
 *
 * <p>The request is a file {@code execs/<random>.req} in the container's directory (the exec's
 * flags, its log file and its argv; the monitor builds the runtime's command line itself), the
 * answer {@code <random>.rc}, the runtime's exit code; both written by rename.
 */
final class ExecRequests {
  static final String DIR = "execs";
  private static final SecureRandom RANDOM = new SecureRandom();

  private ExecRequests() {}

  /** Whether a monitor serves requests for container directory {@code cdir}. */
  static boolean served(Path cdir) throws IOException {
    return Files.isDirectory(cdir.resolve(DIR))
        && !Files.exists(cdir.resolve(Containers.EXIT_CODE));
  }

  /**
   * Asks the monitor to run {@code runc exec --detach}; the runtime's exit code, or -1 when the
   * monitor did not take the request within {@code timeoutMs} (withdrawn: nothing ran, so the
   * caller may run it itself).
   */
  static int request(Path cdir, Path log, List<String> flags, List<String> argv, long timeoutMs)
      throws IOException, InterruptedException {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    String name = HexFormat.of().formatHex(b);
    Path dir = cdir.resolve(DIR);
    JsonObject req =
        JsonObject.builder()
            .put("log", log.toString())
            .put("flags", Json.ofStrings(flags))
            .put("argv", Json.ofStrings(argv))
            .build();
    Path reqFile = dir.resolve(name + ".req");
    AtomicFiles.write(reqFile, req.toBytes());
    Path rc = dir.resolve(name + ".rc");
    long pickUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    // the monitor runs the runtime for 30 s at most once it took the request
    long answer = pickUp + TimeUnit.SECONDS.toNanos(45);
    while (System.nanoTime() < answer) {
      try {
        int code = Integer.parseInt(Files.readString(rc, StandardCharsets.US_ASCII).strip());
        Files.deleteIfExists(rc);
        return code;
      } catch (NoSuchFileException | NumberFormatException e) {
        if (System.nanoTime() > pickUp && Files.deleteIfExists(reqFile)) {
          return -1; // never taken (the monitor is gone or stuck): nothing ran
        }
        Thread.sleep(10);
      }
    }
    throw new dev.jbuild.runner.RunnerException(
        "the container's monitor did not report whether exec -d started",
        dev.jbuild.runner.RunnerErrors.CANNOT_CREATE);
  }

  /** In the monitor: becomes a subreaper, serves requests and reaps adopted processes. */
  static void serve(Path cdir, String id, OciRuntime rt) {
    try {
      Syscalls.becomeSubreaper();
      Path dir = Files.createDirectories(cdir.resolve(DIR));
      WatchService ws = dir.getFileSystem().newWatchService();
      dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE);
      Thread.ofPlatform().daemon().name("exec-requests").start(() -> loop(ws, dir, id, rt));
      Thread.ofPlatform().daemon().name("reaper").start(ExecRequests::reapLoop);
    } catch (IOException | RuntimeException e) {
      // exec -d falls back to running the runtime from jbuild itself
    }
  }

  private static void loop(WatchService ws, Path dir, String id, OciRuntime rt) {
    while (true) {
      try {
        var key = ws.poll(1, TimeUnit.SECONDS);
        if (key != null) {
          key.pollEvents();
          key.reset();
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.req")) {
          for (Path req : ds) {
            handle(req, id, rt);
          }
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        // the next request is served
      }
    }
  }

  private static void handle(Path req, String id, OciRuntime rt)
      throws IOException, InterruptedException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(req);
    } catch (NoSuchFileException e) {
      return; // withdrawn
    }
    if (!Files.deleteIfExists(req)) {
      return; // withdrawn meanwhile: whoever unlinks the request runs it, exactly one side
    }
    String name = req.getFileName().toString().replaceFirst("\\.req$", "");
    int code;
    try {
      JsonObject o = Json.parseObject(bytes);
      List<String> cmd =
          rt.execCommand(id, Path.of(o.string("log")), o.strings("flags"), o.strings("argv"));
      Process p =
          new ProcessBuilder(cmd)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        code = 125;
      } else {
        code = p.exitValue();
      }
    } catch (IOException | IllegalArgumentException | NullPointerException e) {
      code = 125;
    }
    AtomicFiles.write(
        req.resolveSibling(name + ".rc"), (code + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  private static void reapLoop() {
    int depth = nsDepth(Path.of("/proc/self/status"));
    while (true) {
      try {
        Thread.sleep(500);
        reapAdopted(depth);
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        // next round
      }
    }
  }

  /** Reaps this process's zombie children that lived in a pid namespace below its own. */
  static void reapAdopted(int depth) throws IOException {
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path t : tasks) {
        String children;
        try {
          children = Files.readString(t.resolve("children"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
          continue;
        }
        for (String pid : children.strip().split("\\s+")) {
          if (pid.isEmpty()) {
            continue;
          }
          Path status = Path.of("/proc", pid, "status");
          String text;
          try {
            text = Files.readString(status, StandardCharsets.US_ASCII);
          } catch (IOException e) {
            continue;
          }
          if (text.contains("\nState:\tZ") && nsDepthOf(text) > depth) {
            Syscalls.reap(Long.parseLong(pid));
          }
        }
      }
    }
  }

  private static int nsDepth(Path status) {
    try {
      return nsDepthOf(Files.readString(status, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      return Integer.MAX_VALUE; // reap nothing
    }
  }

  /** How many pid namespaces the process of this status text is in (its NSpid line). */
  static int nsDepthOf(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("NSpid:")) {
        return line.substring(6).strip().split("\\s+").length;
      }
    }
    return 1;
  }
}
