package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What start-up loads, counted (never timed, so it cannot flake): the launcher runs with its AOT
 * cache off ({@code JBUILD_NO_AOT=1}, else every class in the cache is listed) and the JVM logs
 * each class it loads. {@code --version} builds no command model; a no-op rebuild loads its one
 * command, no HTTP client, TLS, JLine or JGit (loaded only for a git source), and stays under a
 * class budget (builder-cli README, "Start-up").
 */
class StartupClassesIT {
  /**
   * --version loaded 1,565 classes with the whole picocli model, 927 without, 744 without lambdas,
   * a resource URL or System.exit's logging (2026-12-05); --help loaded 1,900 with every command's
   * model, 761 from its stored page.
   */
  static final int VERSION_BUDGET = 820;

  /** A no-op rebuild of a one-COPY Dockerfile loaded 2,767 classes (2026-12-04). */
  static final int NOOP_BUDGET = 3_100;

  @TempDir Path tmp;

  @Test
  void versionBuildsNoCommandModel() throws Exception {
    List<String> classes = loaded("--version");
    assertTrue(
        classes.size() <= VERSION_BUDGET,
        "--version loaded " + classes.size() + " classes, budget " + VERSION_BUDGET);
    assertEquals(
        List.of(),
        classes.stream().filter(c -> c.startsWith("picocli.CommandLine$Model")).toList(),
        "--version must not build picocli's model");
    assertEquals(
        List.of(),
        commandsOtherThan(classes, "dev.jbuild.cli.JbuildCommand"),
        "--version loaded subcommand classes");
  }

  @Test
  void helpPrintsItsStoredPage() throws Exception {
    for (List<String> args : List.of(List.of("--help"), List.of("build", "--help"))) {
      List<String> classes = loaded(tmp, args);
      assertTrue(
          classes.size() <= VERSION_BUDGET,
          args + " loaded " + classes.size() + " classes, budget " + VERSION_BUDGET);
      assertEquals(
          List.of(),
          classes.stream()
              .filter(
                  c ->
                      c.startsWith("picocli.CommandLine$Model")
                          || c.startsWith("jdk.internal.org.jline.")
                          || c.startsWith("jdk.jshell."))
              .toList(),
          args + " must print the stored page: no picocli model, no console providers");
      assertEquals(
          List.of(), commandsOtherThan(classes, "dev.jbuild.cli.JbuildCommand"), "" + args);
    }
  }

  @Test
  void aNoOpRebuildLoadsOneCommandAndNoNetworkCode() throws Exception {
    Path root = tmp.resolve("store");
    try (Store store = Store.open(root)) {
      TestImages.busybox(store, "busybox:latest");
    }
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"), "FROM busybox\nCOPY a.txt /a.txt\n");
    Files.writeString(ctx.resolve("a.txt"), "a\n");
    List<String> build = List.of("--root", root.toString(), "build", "-q", "-t", "s:1", ".");
    loaded(ctx, build); // cold
    List<String> classes = loaded(ctx, build);
    assertTrue(
        classes.size() <= NOOP_BUDGET,
        "a no-op rebuild loaded " + classes.size() + " classes, budget " + NOOP_BUDGET);
    assertEquals(
        List.of(),
        commandsOtherThan(classes, "dev.jbuild.cli.JbuildCommand", "dev.jbuild.cli.BuildCommand"),
        "a build loaded other commands' classes");
    assertEquals(
        List.of(),
        classes.stream()
            .filter(
                c ->
                    c.startsWith("jdk.internal.net.http.")
                        || c.startsWith("sun.security.ssl.")
                        || c.startsWith("jdk.internal.org.jline.")
                        || c.startsWith("jdk.jshell.")
                        || c.startsWith("org.eclipse.jgit.")
                        || c.startsWith("org.slf4j."))
            .toList(),
        "a no-op rebuild of a stored base needs no HTTP client, TLS, JLine or JGit");
  }

  @Test
  void aPullOverPlainHttpMakesNoTlsContext() throws Exception {
    // a loopback registry is insecure: probed over plain HTTP first, so the JDK's TLS provider
    // (40-150 ms of a cold build's pull) is never set up (LazySslContext)
    try (LocalRegistry registry = LocalRegistry.start()) {
      Path root = tmp.resolve("pushed");
      Path ctx = Files.createDirectories(tmp.resolve("tls-ctx"));
      Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY a.txt /a.txt\n");
      Files.writeString(ctx.resolve("a.txt"), "a\n");
      String ref = registry.host() + "/startup/plain:1";
      loaded(ctx, List.of("--root", root.toString(), "build", "-q", "-t", ref, "--push", "."));
      List<String> classes =
          loaded(ctx, List.of("--root", tmp.resolve("fresh").toString(), "pull", "-q", ref));
      assertTrue(classes.contains("jdk.internal.net.http.HttpClientImpl"), "no HTTP client?");
      assertEquals(
          List.of(),
          classes.stream().filter(c -> c.startsWith("sun.security.ssl.SSLContextImpl")).toList(),
          "a pull over plain HTTP set up a TLS context");
    }
  }

  /**
   * The build checks run after every build that shows progress (buildx prints their warnings), so
   * they sit on the no-op rebuild path: they stay within the budget and load few classes of their
   * own (2026-12-05: this no-op rebuild loaded 2,813 classes with --progress plain, 2,799 with -q,
   * which skips the checks after the build; 16 of them are the checks' own).
   */
  @Test
  void checksOnANoOpRebuildStayCheap() throws Exception {
    Path root = tmp.resolve("store");
    try (Store store = Store.open(root)) {
      TestImages.busybox(store, "busybox:latest");
    }
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(
        ctx.resolve("Dockerfile"), "FROM busybox\nARG V=1\nENV W=$V\nCOPY a.txt /a.txt\n");
    Files.writeString(ctx.resolve("a.txt"), "a\n");
    List<String> build =
        List.of("--root", root.toString(), "build", "--progress", "plain", "-t", "s:1", ".");
    loaded(ctx, build); // cold
    List<String> classes = loaded(ctx, build);
    assertTrue(
        classes.size() <= NOOP_BUDGET,
        "a no-op rebuild with checks loaded " + classes.size() + " classes, budget " + NOOP_BUDGET);
    List<String> checks =
        classes.stream()
            .filter(
                c ->
                    c.startsWith("dev.jbuild.grammar.checks.")
                        || c.startsWith("dev.jbuild.cli.BuildChecks")
                        || c.startsWith("dev.jbuild.cli.Calls")
                        || c.startsWith("dev.jbuild.cli.CallOutput"))
            .toList();
    assertTrue(checks.size() <= 20, "the checks loaded " + checks);
  }

  private static List<String> commandsOtherThan(List<String> classes, String... allowed) {
    List<String> ok = List.of(allowed);
    return classes.stream()
        .filter(c -> c.startsWith("dev.jbuild.cli.") && c.endsWith("Command"))
        .filter(c -> !ok.contains(c))
        .toList();
  }

  private List<String> loaded(String... args) throws IOException, InterruptedException {
    return loaded(tmp, List.of(args));
  }

  /** Runs the launcher in {@code dir} and returns the names of the classes its JVM loaded. */
  private List<String> loaded(Path dir, List<String> args)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile(tmp, "classes", ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of("..", "jbuild").toAbsolutePath().normalize().toString());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().put("JBUILD_NO_AOT", "1");
    pb.environment().put("JBUILD_JAVA_OPTS", "-Xlog:class+load:file=" + log);
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("timed out: " + cmd);
    }
    assertEquals(0, p.exitValue(), cmd + "\n" + out);
    List<String> names = new ArrayList<>();
    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      // [0.012s][info][class,load] java.lang.Object source: shared objects file
      int start = line.indexOf("] ", line.indexOf("class,load"));
      int end = line.indexOf(' ', start + 2);
      if (start > 0 && end > start) {
        names.add(line.substring(start + 2, end));
      }
    }
    assertTrue(names.size() > 100, "no class log: " + log);
    return names;
  }
}
