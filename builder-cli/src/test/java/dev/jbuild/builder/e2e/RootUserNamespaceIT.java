package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.ImageTrees;
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
      ProcessHandle.of(Long.parseLong(Files.readString(pid).trim()))
          .ifPresent(ProcessHandle::destroy);
    }
    CorpusCases.deleteTree(work);
  }

  static Result launcher(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of("..", "jbuild").toAbsolutePath().normalize().toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("XDG_RUNTIME_DIR", runtimeDir.toString());
    pb.environment().remove("JBUILD_ROOT");
    pb.environment().remove("JBUILD_ISOLATION");
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
        mixed.err().contains("were made in jbuild's user namespace (rootless)"), mixed.err());
  }
}
