package dev.jbuild.testing;

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
    StringBuilder b = new StringBuilder(8192);
    b.append("{\"ociVersion\":\"1.0.2\",\"process\":{\"terminal\":false,");
    b.append("\"user\":{\"uid\":0,\"gid\":0},\"args\":").append(array(argv));
    List<String> e = new ArrayList<>();
    e.add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    e.add("HOME=/root");
    env.forEach((k, v) -> e.add(k + "=" + v));
    b.append(",\"env\":").append(array(e));
    b.append(",\"cwd\":").append(string(cwd.toString()));
    String caps = array(capabilities);
    b.append(",\"capabilities\":{\"bounding\":").append(caps);
    b.append(",\"effective\":").append(caps).append(",\"permitted\":").append(caps).append('}');
    b.append(",\"noNewPrivileges\":false},");
    b.append("\"root\":{\"path\":\"rootfs\",\"readonly\":false},\"hostname\":\"dsc\",");
    b.append("\"mounts\":[");
    mount(b, "/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev"));
    mount(b, "/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
    mount(
        b,
        "/dev/pts",
        "devpts",
        "devpts",
        List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
    mount(b, "/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777"));
    mount(b, "/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro"));
    mount(b, "/tmp", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=1777"));
    mount(b, "/root", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=700"));
    mount(b, "/usr", "bind", "/usr", List.of("rbind", "ro"));
    mount(b, "/etc", "bind", "/etc", List.of("rbind", "ro"));
    for (Path p : readOnly) {
      mount(b, p.toString(), "bind", p.toString(), List.of("rbind", "ro"));
    }
    for (Path p : writable) {
      mount(b, p.toString(), "bind", p.toString(), List.of("rbind", "rw"));
    }
    b.setLength(b.length() - 1);
    b.append("],\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},");
    b.append("{\"type\":\"uts\"},{\"type\":\"mount\"}],");
    b.append("\"maskedPaths\":[\"/proc/kcore\",\"/proc/keys\",\"/proc/timer_list\",");
    b.append("\"/sys/firmware\"],\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",");
    b.append("\"/proc/sys\",\"/proc/sysrq-trigger\"]");
    if (seccompJson != null) {
      b.append(",\"seccomp\":").append(withX32(seccompJson));
    }
    b.append("}}");
    return b.toString();
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

  private static void mount(
      StringBuilder b, String dest, String type, String source, List<String> options) {
    b.append("{\"destination\":").append(string(dest)).append(",\"type\":").append(string(type));
    b.append(",\"source\":").append(string(source)).append(",\"options\":").append(array(options));
    b.append("},");
  }

  private static String array(List<String> l) {
    StringBuilder b = new StringBuilder("[");
    for (String s : l) {
      if (b.length() > 1) {
        b.append(',');
      }
      b.append(string(s));
    }
    return b.append(']').toString();
  }

  private static String string(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
