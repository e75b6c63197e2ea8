package dev.jbuild.cli.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs jbuild as a user does: a separate process of the packaged jar (failsafe runs after {@code
 * package}), with its own environment (PATH, DOCKER_CONFIG, config files) and stdin.
 */
final class Cli {
  record Result(int exit, String out, String err) {}

  private Cli() {}

  static Path jar() {
    Path jar = Path.of("target", "jbuild.jar").toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new AssertionError("no " + jar + ": run the ITs with mvn verify (after package)");
    }
    return jar;
  }

  /**
   * An environment that reads nothing of the host's configuration: Docker's config in {@code
   * dir/docker}, an empty {@code dir/registries.json}, {@code XDG_CONFIG_HOME} in {@code dir/xdg}.
   * Tests add to it.
   */
  static Map<String, String> env(Path dir) throws IOException {
    Files.writeString(dir.resolve("registries.json"), "{}");
    var env = new HashMap<String, String>();
    env.put("DOCKER_CONFIG", dir.resolve("docker").toString());
    env.put("JBUILD_REGISTRIES_CONFIG", dir.resolve("registries.json").toString());
    env.put("XDG_CONFIG_HOME", dir.resolve("xdg").toString());
    return env;
  }

  /** {@code jbuild --root ROOT ARGS} without stdin. */
  static Result withRoot(Map<String, String> env, Path root, String... args) {
    var all = new ArrayList<String>(List.of("--root", root.toString()));
    all.addAll(List.of(args));
    return run(env, null, all.toArray(String[]::new));
  }

  /** The command that runs jbuild, before its arguments. */
  static List<String> command() {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--enable-native-access=ALL-UNNAMED",
        "-Xmx256m",
        "-jar",
        jar().toString());
  }

  static Result run(Map<String, String> env, String stdin, String... args) {
    var cmd = new ArrayList<String>(command());
    cmd.addAll(List.of(args));
    try {
      var pb = new ProcessBuilder(cmd);
      pb.environment().putAll(env);
      Process p = pb.start();
      try (var in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      var errText = new java.util.concurrent.atomic.AtomicReference<String>("");
      var errReader =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      errText.set(
                          new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                    } catch (IOException e) {
                      errText.set(e.toString());
                    }
                  });
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("jbuild timed out: " + cmd);
      }
      errReader.join();
      return new Result(p.exitValue(), out, errText.get());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
