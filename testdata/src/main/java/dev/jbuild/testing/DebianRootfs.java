package dev.jbuild.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Debian bookworm root filesystem (debootstrap's minbase variant, as the official {@code
 * debian:bookworm-slim} image), made once per machine from the Debian mirror that apt uses and kept
 * under {@code /var/tmp/jbuild-test-cache}: the real-world corpus installs packages into it with
 * apt-get, as the official-image Dockerfiles do. Needs root and {@code debootstrap} (installed by
 * {@code .ci/setup}); about 30 s the first time.
 */
public final class DebianRootfs {
  /** Where the finished tree is kept between test runs on one machine. */
  public static final Path CACHE = Path.of("/var/tmp/jbuild-test-cache/debian-bookworm-minbase");

  private static final String FALLBACK_MIRROR = "http://deb.debian.org/debian";

  private DebianRootfs() {}

  /** The cached tree, made first if it is not there yet. */
  public static synchronized Path get() throws IOException {
    if (Files.exists(CACHE.resolve(".complete"))) {
      return CACHE;
    }
    Path tmp = CACHE.resolveSibling(CACHE.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    Files.createDirectories(tmp.getParent());
    run(List.of("rm", "-rf", tmp.toString()), 60);
    Path log = tmp.resolveSibling(tmp.getFileName() + ".log");
    int exit =
        run(
            List.of("debootstrap", "--variant=minbase", "bookworm", tmp.toString(), mirror()),
            900,
            log);
    if (exit != 0) {
      throw new IOException(
          "debootstrap failed (exit " + exit + "); last lines of " + log + ":\n" + tail(log));
    }
    // As the slim image: no package caches or lists, nothing under /dev, /proc, /sys.
    run(
        List.of(
            "sh",
            "-c",
            "cd '"
                + tmp
                + "' && rm -rf var/cache/apt/archives/*.deb var/lib/apt/lists/* dev/* proc/* sys/*"
                + " && rm -f etc/hostname && : > etc/resolv.conf"),
        60);
    Files.writeString(tmp.resolve(".complete"), "");
    run(List.of("rm", "-rf", CACHE.toString()), 120);
    Files.move(tmp, CACHE);
    Files.deleteIfExists(log);
    return CACHE;
  }

  /** The first Debian mirror in apt's sources (deb822 or one-line format), or deb.debian.org. */
  static String mirror() throws IOException {
    for (Path f :
        List.of(
            Path.of("/etc/apt/sources.list.d/debian.sources"), Path.of("/etc/apt/sources.list"))) {
      if (!Files.isRegularFile(f)) {
        continue;
      }
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        String t = line.trim();
        if (t.startsWith("URIs:") && !t.contains("security")) {
          return t.substring(5).trim().split("\\s+")[0];
        }
        if (t.startsWith("deb ") && !t.contains("security")) {
          for (String w : t.split("\\s+")) {
            if (w.startsWith("http")) {
              return w;
            }
          }
        }
      }
    }
    return FALLBACK_MIRROR;
  }

  private static int run(List<String> cmd, int seconds) throws IOException {
    return run(cmd, seconds, null);
  }

  private static int run(List<String> cmd, int seconds, Path log) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(
        log == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(log.toFile()));
    Process p = pb.start();
    try {
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + ": no result after " + seconds + " s");
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static String tail(Path log) throws IOException {
    if (!Files.exists(log)) {
      return "";
    }
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
  }
}
