package dev.jbuild.testing;

import dev.jbuild.layercache.fs.Posix;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A busybox root filesystem like the official busybox image's: the static /bin/busybox of Debian's
 * busybox-static package with every applet as a symlink in /bin, the image's /etc/passwd and
 * /etc/group, /root, /tmp, /home, /usr, /var. Every entry gets the same fixed time, so the layer
 * made from it is reproducible on one machine.
 */
public final class BusyboxRootfs {
  /** Where Debian's busybox-static puts the binary. */
  public static final Path HOST_BUSYBOX = Path.of("/bin/busybox");

  /**
   * The static busybox of Debian's {@code busybox-static:arm64}, fetched once by {@code .ci/setup}
   * (as root) for the linux/arm64 test images.
   */
  public static final Path ARM64_BUSYBOX =
      Path.of("/var/tmp/jbuild-test-cache/busybox-static-arm64/bin/busybox");

  /** The fixed modification time of every entry (2000-01-01T00:00:00Z). */
  public static final Instant MTIME = Instant.parse("2000-01-01T00:00:00Z");

  static final String PASSWD =
      """
      root:x:0:0:root:/root:/bin/sh
      daemon:x:1:1:daemon:/usr/sbin:/bin/false
      bin:x:2:2:bin:/bin:/bin/false
      sys:x:3:3:sys:/dev:/bin/false
      sync:x:4:100:sync:/bin:/bin/sync
      mail:x:8:8:mail:/var/spool/mail:/bin/false
      www-data:x:33:33:www-data:/var/www:/bin/false
      operator:x:37:37:Operator:/var:/bin/false
      nobody:x:65534:65534:nobody:/home:/bin/false
      """;

  static final String GROUP =
      """
      root:x:0:
      daemon:x:1:
      bin:x:2:
      sys:x:3:
      adm:x:4:
      tty:x:5:
      disk:x:6:
      lp:x:7:
      mail:x:8:
      kmem:x:9:
      wheel:x:10:root
      cdrom:x:11:
      dialout:x:18:
      floppy:x:19:
      video:x:28:
      audio:x:29:
      tape:x:32:
      www-data:x:33:
      operator:x:37:
      utmp:x:43:
      plugdev:x:46:
      staff:x:50:
      lock:x:54:
      netdev:x:82:
      users:x:100:
      nogroup:x:65534:
      """;

  private BusyboxRootfs() {}

  /** Writes the root filesystem into {@code dir} (created; must be empty or absent). */
  public static void write(Path dir) throws IOException {
    write(dir, HOST_BUSYBOX);
  }

  /**
   * Writes the root filesystem with {@code binary} as /bin/busybox (the host's, or {@link
   * #ARM64_BUSYBOX}); the applet links are those of the host's busybox (the same Debian version).
   */
  public static void write(Path dir, Path binary) throws IOException {
    if (!Files.isExecutable(HOST_BUSYBOX)) {
      throw new IOException(
          HOST_BUSYBOX + " is missing: install Debian's busybox-static (.ci/setup does)");
    }
    if (!Files.isExecutable(binary)) {
      throw new IOException(
          binary + " is missing: run `. .ci/setup` as root (it fetches busybox-static:arm64)");
    }
    Files.createDirectories(dir);
    List<Path> all = new ArrayList<>();
    for (String d : List.of("bin", "etc", "home", "root", "tmp", "usr", "var", "var/spool")) {
      Path p = dir.resolve(d);
      Files.createDirectories(p);
      all.add(p);
    }
    Posix.chmod(dir, 0755);
    Posix.chmod(dir.resolve("root"), 0700);
    Posix.chmod(dir.resolve("tmp"), 01777);
    Path busybox = dir.resolve("bin/busybox");
    Files.copy(binary, busybox, StandardCopyOption.REPLACE_EXISTING);
    Posix.chmod(busybox, 0755);
    all.add(busybox);
    for (String applet : applets()) {
      Path link = dir.resolve("bin").resolve(applet);
      if (!applet.equals("busybox") && !Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, Path.of("busybox"));
        all.add(link);
      }
    }
    all.add(write(dir.resolve("etc/passwd"), PASSWD, 0644));
    all.add(write(dir.resolve("etc/group"), GROUP, 0644));
    for (Path p : all.reversed()) {
      Posix.lchown(p, 0, 0);
      Posix.utimensat(p, MTIME, MTIME);
    }
    Posix.utimensat(dir, MTIME, MTIME);
  }

  /** The applet names the host busybox provides ({@code busybox --list}). */
  public static List<String> applets() throws IOException {
    Process p =
        new ProcessBuilder(HOST_BUSYBOX.toString(), "--list").redirectErrorStream(true).start();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try {
      if (p.waitFor() != 0) {
        throw new IOException("busybox --list failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return out.lines().map(String::strip).filter(s -> !s.isEmpty() && !s.contains("/")).toList();
  }

  private static Path write(Path p, String text, int mode) throws IOException {
    Files.writeString(p, text, StandardCharsets.UTF_8);
    Posix.chmod(p, mode);
    return p;
  }
}
