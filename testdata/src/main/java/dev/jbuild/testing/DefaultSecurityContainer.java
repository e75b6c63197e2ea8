package dev.jbuild.testing;

import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A container with Docker's default security, made with real runc: what {@code docker run} gives
 * without {@code --privileged} or added capabilities (the Kaniko case). Root, Docker's 14 default
 * capabilities (no CAP_SYS_ADMIN), Docker's default seccomp profile (mount and
 * unshare(CLONE_NEWUSER) refused), the host's network, its own pid, mount, ipc and uts namespaces,
 * no user namespace. Its root is the host's /usr and /etc read-only (so the host's JDK, shell and
 * tools run in it), the given directories bound at their own paths (read-only or writable), a tmpfs
 * /tmp and /root, proc, a tmpfs /dev with runc's default devices.
 *
 * <p>testdata cannot depend on the runner: the caller passes the seccomp section of config.json
 * ({@code SeccompProfile.dockerDefault().ociJson(Capabilities.DOCKER_DEFAULT)}) and the capability
 * list. Each {@link #exec} is one {@code runc run} of a fresh container.
 */
public final class DefaultSecurityContainer {
  /** What a command printed and its exit status. */
  public record Result(int exit, String out, String err) {}

  private final Path dir;
  private final String seccompJson;
  private final List<String> capabilities;
  private final List<Path> readOnly;
  private final List<Path> writable;
  private int runs;

  private DefaultSecurityContainer(
      Path dir,
      String seccompJson,
      List<String> capabilities,
      List<Path> readOnly,
      List<Path> writable) {
    this.dir = dir;
    this.seccompJson = seccompJson;
    this.capabilities = List.copyOf(capabilities);
    this.readOnly = List.copyOf(readOnly);
    this.writable = List.copyOf(writable);
  }

  /**
   * A container bundle in {@code dir} (a fresh directory of the test).
   *
   * @param readOnly host directories bound read-only at the same path (e.g. the repository)
   * @param writable host directories bound writable at the same path (e.g. the test's store)
   */
  public static DefaultSecurityContainer create(
      Path dir,
      String seccompJson,
      List<String> capabilities,
      List<Path> readOnly,
      List<Path> writable)
      throws IOException {
    Path rootfs = dir.resolve("rootfs");
    Files.createDirectories(rootfs);
    for (String d : List.of("usr", "etc", "proc", "dev", "sys", "tmp", "root", "run", "var")) {
      Files.createDirectories(rootfs.resolve(d));
    }
    for (String l : List.of("bin", "lib", "lib64", "sbin")) {
      if (Files.isSymbolicLink(Path.of("/" + l))) {
        Files.createSymbolicLink(rootfs.resolve(l), Files.readSymbolicLink(Path.of("/" + l)));
      }
    }
    return new DefaultSecurityContainer(dir, seccompJson, capabilities, readOnly, writable);
  }

  /** Runs {@code argv} in a fresh container (cwd {@code cwd}) with {@code env}; 300 s at most. */
  public Result exec(Path cwd, Map<String, String> env, List<String> argv)
      throws IOException, InterruptedException {
    String id = "jbuild-dsc-" + ProcessHandle.current().pid() + "-" + (++runs);
    Files.writeString(dir.resolve("config.json"), config(cwd, env, argv), StandardCharsets.UTF_8);
    List<String> cmd =
        List.of(
            "runc",
            "--root",
            dir.resolve("state").toString(),
            "run",
            "--bundle",
            dir.toString(),
            id);
    Process p =
        new ProcessBuilder(cmd)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    AtomicReference<String> err = new AtomicReference<>("");
    Thread t = Thread.ofVirtual().start(() -> err.set(read(p.getErrorStream())));
    String out = read(p.getInputStream());
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("timed out: " + argv);
    }
    t.join();
    return new Result(p.exitValue(), out, err.get());
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return e.toString();
    }
  }

  private String config(Path cwd, Map<String, String> env, List<String> argv) {
    List<String> e = new ArrayList<>();
    e.add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    e.add("HOME=/root");
    env.forEach((k, v) -> e.add(k + "=" + v));
    Json caps = Json.ofStrings(capabilities);
    JsonObject process =
        JsonObject.builder()
            .put("terminal", false)
            .put("user", JsonObject.builder().put("uid", 0).put("gid", 0).build())
            .put("args", Json.ofStrings(argv))
            .put("env", Json.ofStrings(e))
            .put("cwd", cwd.toString())
            .put(
                "capabilities",
                JsonObject.builder()
                    .put("bounding", caps)
                    .put("effective", caps)
                    .put("permitted", caps)
                    .build())
            .put("noNewPrivileges", false)
            .build();
    List<Json> mounts = new ArrayList<>();
    mounts.add(mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")));
    mounts.add(
        mount(
            "/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
    mounts.add(
        mount(
            "/dev/pts",
            "devpts",
            "devpts",
            List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")));
    mounts.add(
        mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777")));
    mounts.add(mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")));
    mounts.add(mount("/tmp", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=1777")));
    mounts.add(mount("/root", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=700")));
    mounts.add(mount("/usr", "bind", "/usr", List.of("rbind", "ro")));
    mounts.add(mount("/etc", "bind", "/etc", List.of("rbind", "ro")));
    for (Path p : readOnly) {
      mounts.add(mount(p.toString(), "bind", p.toString(), List.of("rbind", "ro")));
    }
    for (Path p : writable) {
      mounts.add(mount(p.toString(), "bind", p.toString(), List.of("rbind", "rw")));
    }
    List<Json> namespaces = new ArrayList<>();
    for (String type : List.of("pid", "ipc", "uts", "mount")) {
      namespaces.add(JsonObject.builder().put("type", type).build());
    }
    JsonObject.Builder linux =
        JsonObject.builder()
            .put("namespaces", new JsonArray(namespaces))
            .put(
                "maskedPaths",
                Json.ofStrings(
                    List.of("/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware")))
            .put(
                "readonlyPaths",
                Json.ofStrings(
                    List.of(
                        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")));
    if (seccompJson != null) {
      linux.put("seccomp", Json.parse(withX32(seccompJson)));
    }
    return JsonObject.builder()
        .put("ociVersion", "1.0.2")
        .put("process", process)
        .put("root", JsonObject.builder().put("path", "rootfs").put("readonly", false).build())
        .put("hostname", "dsc")
        .put("mounts", new JsonArray(mounts))
        .put("linux", linux.build())
        .build()
        .toString();
  }

  /**
   * Docker lists x32 with x86_64 and x86 whatever the kernel; jbuild leaves it out where the kernel
   * has no x32 ABI, and a filter without it kills a process that makes an x32 call (jbuild's own
   * x32 probe does): put it back, as in a real {@code docker run}.
   */
  private static String withX32(String json) {
    if (json.contains("\"SCMP_ARCH_X86_64\"") && !json.contains("\"SCMP_ARCH_X32\"")) {
      return json.replace("\"SCMP_ARCH_X86_64\"", "\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X32\"");
    }
    return json;
  }

  private static Json mount(String dest, String type, String source, List<String> options) {
    return JsonObject.builder()
        .put("destination", dest)
        .put("type", type)
        .put("source", source)
        .put("options", Json.ofStrings(options))
        .build();
  }
}
