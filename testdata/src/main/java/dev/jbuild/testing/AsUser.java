package dev.jbuild.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code ./jbuild} launcher (or any command) as an ordinary user, from a test that runs as
 * root: {@code runuser -u USER -- env -i HOME=... PATH=... ./jbuild ARGS}, so the launcher sees
 * what a developer's shell gives it (the user's HOME and Debian's default PATH for users, no
 * JBUILD_ROOT or JAVA_HOME of the test's), and enters jbuild's user namespace itself.
 *
 * <pre>{@code
 * AsUser user = AsUser.of(AsUser.WITH_RANGES);
 * Path work = user.workDir("rootless");        // /tmp/rootless-..., 0755, the user's
 * AsUser.Result r = user.jbuild("--root", work.resolve("store").toString(), "build", ctx);
 * user.stopPauseProcess();                     // after the class: nothing left running
 * }</pre>
 *
 * The users are made by {@code .ci/setup}: {@link #WITH_RANGES} has subordinate ranges in {@code
 * /etc/subuid} and {@code /etc/subgid}, {@link #WITHOUT_RANGES} has none.
 */
public final class AsUser {
  /** A user with {@code 200000:65536} in /etc/subuid and /etc/subgid. */
  public static final String WITH_RANGES = "jbuild-test";

  /** A user without subordinate ranges (a single-id user namespace). */
  public static final String WITHOUT_RANGES = "jbuild-norange";

  /** Debian's default PATH for ordinary users (/etc/login.defs ENV_PATH): no sbin. */
  public static final String USER_PATH = "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games";

  /** How long one command may take by default. */
  public static final Duration TIMEOUT = Duration.ofMinutes(5);

  /** What a command did. */
  public record Result(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  private final String name;
  private final int uid;
  private final int gid;
  private final Path home;
  private final Path launcher;

  private AsUser(String name, int uid, int gid, Path home, Path launcher) {
    this.name = name;
    this.uid = uid;
    this.gid = gid;
    this.home = home;
    this.launcher = launcher;
  }

  /** The user {@code name} (from the password database) and the repository's launcher. */
  public static AsUser of(String name) throws IOException {
    String line = null;
    for (String l : Files.readAllLines(Path.of("/etc/passwd"), StandardCharsets.UTF_8)) {
      if (l.startsWith(name + ":")) {
        line = l;
      }
    }
    if (line == null) {
      throw new IOException("no user " + name + " (made by .ci/setup, run it as root)");
    }
    String[] f = line.split(":", -1);
    return new AsUser(
        name, Integer.parseInt(f[2]), Integer.parseInt(f[3]), Path.of(f[5]), launcher());
  }

  /**
   * The {@code jbuild} launcher at the repository root (written by {@code mvn package}), or, when
   * other users cannot reach the repository (a clone under root's 0700 home, say), a copy of the
   * launcher, jar and AOT cache in a world-readable directory under /tmp.
   */
  public static Path launcher() throws IOException {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path j = d.resolve("jbuild");
      if (Files.isRegularFile(j) && Files.exists(d.resolve("pom.xml"))) {
        return reachableByOthers(j) ? j : staged(j, d.resolve("builder-cli/target"));
      }
    }
    throw new IOException("no ./jbuild launcher above " + Path.of("").toAbsolutePath());
  }

  private static boolean reachableByOthers(Path launcher) throws IOException {
    for (Path d = launcher.getParent(); d != null; d = d.getParent()) {
      if (!Files.getPosixFilePermissions(d)
          .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
        return false;
      }
    }
    return true;
  }

  private static synchronized Path staged(Path launcher, Path target) throws IOException {
    Path dir =
        Path.of("/tmp", "jbuild-test-dist-" + Integer.toHexString(launcher.toString().hashCode()));
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    String text = Files.readString(launcher, StandardCharsets.UTF_8);
    for (String name : List.of("jbuild.jar", "jbuild.aot")) {
      Path src = target.resolve(name);
      if (Files.exists(src)) {
        Path dst = dir.resolve(name);
        Files.copy(src, dst, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(dst, PosixFilePermissions.fromString("rw-r--r--"));
        text = text.replace("\"" + src + "\"", "\"" + dst + "\"");
      }
    }
    Path copy = dir.resolve("jbuild");
    Files.writeString(copy, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
    return copy;
  }

  public String name() {
    return name;
  }

  public int uid() {
    return uid;
  }

  public int gid() {
    return gid;
  }

  public Path home() {
    return home;
  }

  /** {@code jbuild ARGS} as this user, in {@code /tmp}, within {@link #TIMEOUT}. */
  public Result jbuild(String... args) throws IOException {
    return jbuild(TIMEOUT, args);
  }

  /** {@code jbuild ARGS} as this user, in {@code /tmp}, within {@code timeout}. */
  public Result jbuild(Duration timeout, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
    cmd.addAll(List.of(args));
    return run(Path.of("/tmp"), timeout, cmd);
  }

  /**
   * {@code cmd} as this user in {@code dir} with a clean environment (HOME, USER, LOGNAME, the
   * users' PATH, LANG=C.UTF-8). A command still running at {@code timeout} is killed with its
   * descendants and the result has exit code -1.
   */
  public Result run(Path dir, Duration timeout, List<String> cmd) throws IOException {
    List<String> full =
        new ArrayList<>(
            List.of(
                "runuser",
                "-u",
                name,
                "--",
                "env",
                "-i",
                "HOME=" + home,
                "USER=" + name,
                "LOGNAME=" + name,
                "PATH=" + USER_PATH,
                "LANG=C.UTF-8"));
    full.addAll(cmd);
    Path out = Files.createTempFile("asuser-", ".out");
    Path err = Files.createTempFile("asuser-", ".err");
    try {
      Process p =
          new ProcessBuilder(full)
              .directory(dir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      int exit;
      try {
        if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          exit = p.exitValue();
        } else {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
          exit = -1;
        }
      } catch (InterruptedException e) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted: " + String.join(" ", cmd), e);
      }
      String errText = Files.readString(err, StandardCharsets.UTF_8);
      if (exit == -1) {
        errText += "\n[AsUser: killed after " + timeout + ": " + String.join(" ", cmd) + "]";
      }
      return new Result(exit, Files.readString(out, StandardCharsets.UTF_8), errText);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /**
   * A new directory {@code /tmp/PREFIX-...} owned by this user, mode 0755 (tests' own temp
   * directories are root's and 0700: the user could not reach a context or store in them).
   */
  public Path workDir(String prefix) throws IOException {
    Path d =
        Files.createTempDirectory(
            Path.of("/tmp"),
            prefix + "-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
    chown(d);
    return d;
  }

  /**
   * Copies {@code src} (a context) to {@code dest} with {@code cp -a}, then gives it to the user.
   */
  public void copyTree(Path src, Path dest) throws IOException {
    exec(List.of("cp", "-a", "--", src.toString(), dest.toString()));
    chownTree(dest);
  }

  /**
   * {@code chown -R} of {@code p} to this user and its group (symlinks themselves, not targets).
   */
  public void chownTree(Path p) throws IOException {
    exec(List.of("chown", "-R", "-h", uid + ":" + gid, "--", p.toString()));
  }

  private void chown(Path p) throws IOException {
    Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Stops the pause process that keeps this user's jbuild namespaces alive (the launcher's {@code
   * sleep infinity}, its pid in {@code /tmp/jbuild-UID/userns.pid} for the clean environment of
   * {@link #run}), after checking that the pid is a {@code sleep infinity} of this user. Returns
   * whether one was stopped.
   */
  public boolean stopPauseProcess() throws IOException {
    Path pidFile = Path.of("/tmp", "jbuild-" + uid, "userns.pid");
    if (!Files.exists(pidFile)) {
      return false;
    }
    // "PID" or "PID STARTTIME" (the launcher records the start time against pid reuse)
    String[] fields = Files.readString(pidFile, StandardCharsets.US_ASCII).trim().split("\\s+");
    long pid = Long.parseLong(fields[0]);
    Path proc = Path.of("/proc", Long.toString(pid));
    boolean stopped = false;
    try {
      byte[] cmdline = Files.readAllBytes(proc.resolve("cmdline"));
      int owner = (Integer) Files.getAttribute(proc, "unix:uid");
      String args = new String(cmdline, StandardCharsets.UTF_8).replace('\0', ' ');
      if (owner == uid && args.equals("sleep infinity ")) {
        ProcessHandle h = ProcessHandle.of(pid).orElse(null);
        if (h != null) {
          h.destroy();
          try {
            h.onExit().get(10, TimeUnit.SECONDS);
          } catch (Exception e) {
            h.destroyForcibly();
          }
          stopped = true;
        }
      }
    } catch (java.nio.file.NoSuchFileException gone) {
      // already ended
    }
    Files.deleteIfExists(pidFile);
    return stopped;
  }

  private static void exec(List<String> cmd) throws IOException {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", cmd) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", cmd), e);
    }
  }
}
