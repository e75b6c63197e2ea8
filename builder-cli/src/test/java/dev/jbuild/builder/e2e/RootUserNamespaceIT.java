package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The launcher's user namespace as root ({@code --isolation rootless}: root in a container that
 * allows user namespaces but gives no CAP_SYS_ADMIN takes this path): the launcher makes the pause
 * process, jbuild runs in its namespace with every id of root's kept, overlayfs with userxattr, and
 * the image equals the root-mode build file by file. Ordinary users: {@code RootlessCorpusIT}.
 */
class RootUserNamespaceIT {
  static Path work;
  static Path context;
  static Path runtimeDir;

  record Result(int exit, String out, String err) {}

  @BeforeAll
  static void prepare() throws Exception {
    work = Files.createTempDirectory("jbuild-rootns");
    context = work.resolve("sample");
    Process cp =
        new ProcessBuilder(
                "cp", "-a", Path.of("..", "testdata", "sample").toString(), context.toString())
            .inheritIO()
            .start();
    assertEquals(0, cp.waitFor());
    Process prep =
        new ProcessBuilder("sh", context.resolve("prepare.sh").toString()).inheritIO().start();
    assertEquals(0, prep.waitFor());
    runtimeDir = Files.createDirectories(work.resolve("run"));
  }

  @AfterAll
  static void cleanup() throws IOException {
    // the pause process this test's launcher started (its own XDG_RUNTIME_DIR)
    Path pid = runtimeDir.resolve("jbuild/userns.pid");
    if (Files.exists(pid)) {
      ProcessHandle.of(Long.parseLong(Files.readString(pid).trim().split("\\s+")[0]))
          .ifPresent(ProcessHandle::destroy);
    }
    CorpusCases.deleteTree(work);
  }

  static Result launcher(String... args) throws Exception {
    return launcher(java.util.Map.of(), args);
  }

  static Result launcher(java.util.Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of("..", "jbuild").toAbsolutePath().normalize().toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("XDG_RUNTIME_DIR", runtimeDir.toString());
    pb.environment().remove("JBUILD_ROOT");
    pb.environment().remove("JBUILD_ISOLATION");
    pb.environment().putAll(env);
    pb.redirectErrorStream(false);
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd);
    }
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void buildsRunsAndMatchesTheRootBuild() throws Exception {
    Path ns = work.resolve("store-ns");
    Result b =
        launcher(
            "--isolation",
            "rootless",
            "--root",
            ns.toString(),
            "build",
            "--progress",
            "plain",
            "-t",
            "sample:1",
            context.toString());
    assertEquals(0, b.exit(), b.err());
    assertTrue(
        b.err().startsWith("#0 building with jbuild, isolation rootless"),
        b.err().lines().findFirst().orElse(""));
    assertEquals("user\n", Files.readString(ns.resolve("l.xattrs"), StandardCharsets.US_ASCII));

    Result info = launcher("--isolation", "rootless", "--root", ns.toString(), "system", "info");
    assertEquals(0, info.exit(), info.err());
    assertTrue(info.out().contains("Isolation:      rootless"), info.out());
    assertTrue(info.out().contains("uids 0-4294967293 -> 0-4294967293"), info.out());

    Result run =
        launcher("--isolation", "rootless", "--root", ns.toString(), "run", "--rm", "sample:1");
    assertEquals(0, run.exit(), run.err());
    assertEquals("hello, world, from a jbuild image\nbuilt on Linux by root\n", run.out());

    Path rootStore = work.resolve("store-root");
    Result r =
        launcher(
            "--root", rootStore.toString(), "build", "-q", "-t", "sample:1", context.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals(
        ImageTrees.describe(rootStore, "sample:1", work),
        ImageTrees.describe(ns, "sample:1", work));

    // the namespace's unpacked layers are not root mode's: refused, with the fix
    Result mixed =
        launcher("--root", ns.toString(), "build", "--no-cache", "-t", "x", context.toString());
    assertEquals(1, mixed.exit(), mixed.err());
    assertTrue(
        mixed
            .err()
            .contains("were made with user.* overlay attributes (rootless or chroot isolation)"),
        mixed.err());
  }

  /**
   * fuse-overlayfs where the kernel refuses overlayfs in a user namespace (forced here): deletes, a
   * replaced directory (opaque in fuse-overlayfs's own form, normalised) and a chown give the same
   * image as root mode's kernel overlay.
   */
  @Test
  void fuseOverlayfsGivesTheSameImage() throws Exception {
    Path ctx = Files.createDirectories(work.resolve("fuse-ctx"));
    Files.writeString(
        ctx.resolve("Dockerfile"),
        """
        FROM sample:1
        USER root
        RUN mkdir -p /d/sub && echo 1 > /d/sub/f && echo x > /gone && mkdir /keep && echo k > /keep/a
        RUN grep ' / ' /proc/mounts; rm -rf /d && mkdir -p /d/new && echo n > /d/new/g && rm /gone \\
            && chown 1234:1234 /keep/a && echo more >> /keep/a
        RUN test ! -e /d/sub && test ! -e /gone && test -f /d/new/g
        """);
    Path fuse = work.resolve("store-fuse");
    Path root = work.resolve("store-root2");
    java.util.Map<String, String> env = java.util.Map.of("JBUILD_OVERLAY", "fuse-overlayfs");
    for (Path store : List.of(fuse, root)) {
      boolean ns = store.equals(fuse);
      List<String> base = new ArrayList<>();
      if (ns) {
        base.addAll(List.of("--isolation", "rootless"));
      }
      base.addAll(List.of("--root", store.toString(), "build", "--progress", "plain"));
      List<String> sample = new ArrayList<>(base);
      sample.addAll(List.of("-t", "sample:1", context.toString()));
      Result s = launcher(ns ? env : java.util.Map.of(), sample.toArray(String[]::new));
      assertEquals(0, s.exit(), s.err());
      List<String> f = new ArrayList<>(base);
      f.addAll(List.of("-t", "f:1", ctx.toString()));
      Result b = launcher(ns ? env : java.util.Map.of(), f.toArray(String[]::new));
      assertEquals(0, b.exit(), b.err());
      assertEquals(ns, b.err().contains("fuse-overlayfs / fuse"), b.err());
    }
    assertEquals(
        null,
        ImageTrees.firstDifference(
            ImageTrees.describe(root, "f:1", work), ImageTrees.describe(fuse, "f:1", work)),
        "root build <> fuse-overlayfs build");
  }
}
