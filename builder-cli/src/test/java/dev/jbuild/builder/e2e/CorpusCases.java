package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jbuild.cli.Main;
import dev.jbuild.layercache.archive.LocalExport;
import dev.jbuild.layercache.fs.Posix;
import dev.jbuild.layercache.fs.Stat;
import dev.jbuild.layercache.json.Json;
import dev.jbuild.layercache.json.JsonArray;
import dev.jbuild.layercache.json.JsonNull;
import dev.jbuild.layercache.json.JsonObject;
import dev.jbuild.layercache.model.Descriptor;
import dev.jbuild.layercache.store.Image;
import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.ImageValidator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * Builds one corpus case (a directory: Dockerfile, context, {@code checks}) into a store with the
 * real CLI and checks the image against the case's {@code checks} file; see {@link BuildCorpusIT}
 * for the format. Shared by the build corpus and the real-world corpus.
 */
final class CorpusCases {
  private CorpusCases() {}

  record Outcome(int exit, String out, String err) {}

  static Outcome jbuild(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(Main.withImplicitBuild(args));
    return new Outcome(code, out.toString(), err.toString());
  }

  /**
   * How a case is built and run: in-process as root ({@link #inProcess}), or by the launcher as an
   * ordinary user (RootlessCorpusIT). The checks always read a store this JVM can open.
   */
  interface Mode {
    /** jbuild with {@code args} (a command and its arguments) against the mode's store. */
    Outcome jbuild(List<String> args) throws IOException;

    /** The directory to build for {@code caseDir}: the case itself or a prepared copy. */
    Path context(Path caseDir) throws Exception;

    /** A store this JVM can open holding the built image {@code tag}. */
    Path checkStore(String tag) throws Exception;
  }

  /** Builds in this JVM into the store at {@code root}, with {@code work} for prepared copies. */
  static Mode inProcess(Path root, Path work) {
    return new Mode() {
      @Override
      public Outcome jbuild(List<String> args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(args);
        return CorpusCases.jbuild(all.toArray(String[]::new));
      }

      @Override
      public Path context(Path caseDir) throws Exception {
        if (!Files.exists(caseDir.resolve("prepare.sh"))) {
          return caseDir;
        }
        Path dir = work.resolve("ctx-" + caseDir.getFileName());
        deleteTree(dir);
        Process cp = new ProcessBuilder("cp", "-a", caseDir.toString(), dir.toString()).start();
        assertEquals(0, cp.waitFor(), "cp -a " + caseDir);
        Process prep =
            new ProcessBuilder("sh", "prepare.sh").directory(dir.toFile()).inheritIO().start();
        assertEquals(0, prep.waitFor(), "prepare.sh of " + caseDir);
        return dir;
      }

      @Override
      public Path checkStore(String tag) {
        return root;
      }
    };
  }

  /** Builds {@code caseDir} into the store at {@code root}, using {@code work} for scratch. */
  static void run(Path caseDir, Path root, Path work) throws Exception {
    run(caseDir, inProcess(root, work), work);
  }

  /**
   * As {@link #run(Path, Path, Path)}, with {@code buildArgs} added to the build command (e.g.
   * {@code --isolation=chroot}); the other commands (the {@code run:} checks) go without them.
   */
  static void run(Path caseDir, Path root, Path work, List<String> buildArgs) throws Exception {
    Mode base = inProcess(root, work);
    Mode withArgs =
        new Mode() {
          @Override
          public Outcome jbuild(List<String> args) throws IOException {
            List<String> all = new ArrayList<>(args);
            if (!all.isEmpty() && all.getFirst().equals("build")) {
              all.addAll(1, buildArgs);
            }
            return base.jbuild(all);
          }

          @Override
          public Path context(Path caseDir) throws Exception {
            return base.context(caseDir);
          }

          @Override
          public Path checkStore(String tag) throws Exception {
            return base.checkStore(tag);
          }
        };
    run(caseDir, withArgs, work);
  }

  /** The tag a case's image gets. */
  static String tag(Path caseDir) {
    return "corpus-" + caseDir.getFileName() + ":test";
  }

  /**
   * Builds {@code caseDir} as {@code mode} says and checks it, using {@code work} (this JVM's) for
   * scratch; returns whether the case builds an image (tagged {@link #tag}), false for a case whose
   * build is expected to fail.
   */
  static boolean run(Path caseDir, Mode mode, Path work) throws Exception {
    List<String> checks = Files.readAllLines(caseDir.resolve("checks"), StandardCharsets.UTF_8);
    Path dir = mode.context(caseDir);
    List<String> args = new ArrayList<>(List.of("build", "--progress", "plain"));
    String tag = tag(caseDir);
    args.addAll(List.of("-t", tag));
    int expectedExit = 0;
    for (String line : checks) {
      if (line.startsWith("args:")) {
        for (String a : line.substring(5).trim().split("\\s+")) {
          args.add(a.replace("{ctx}", dir.toString()));
        }
      } else if (line.startsWith("exit:")) {
        expectedExit = Integer.parseInt(line.substring(5).trim());
      }
    }
    args.add(dir.toString());
    Outcome o = mode.jbuild(args);
    assertEquals(expectedExit, o.exit, "exit code; stdout:\n" + o.out + "\nstderr:\n" + o.err);
    for (String line : checks) {
      if (line.startsWith("stderr:")) {
        String want = line.substring(7).trim();
        assertTrue(o.err.contains(want), "stderr lacks \"" + want + "\":\n" + o.err);
      }
    }
    if (expectedExit != 0) {
      return false;
    }
    Path root = mode.checkStore(tag);
    Path fs = work.resolve("fs-" + caseDir.getFileName());
    deleteTree(fs);
    Image image;
    try (Store store = Store.open(root)) {
      Descriptor d = store.images().resolve(tag).orElseThrow();
      image = store.images().image(d);
      ImageValidator.validate(store, tag);
      Files.createDirectories(fs);
      LocalExport.write(store, d, fs);
    }
    JsonObject config = Json.parseObject(image.config().toBytes());
    for (String line : checks) {
      int colon = line.indexOf(':');
      if (colon < 0 || line.startsWith("#")) {
        continue;
      }
      String kind = line.substring(0, colon);
      String rest = line.substring(colon + 1).trim();
      switch (kind) {
        case "config" -> checkConfig(config, rest);
        case "file" -> checkFile(fs, rest);
        case "absent" ->
            assertTrue(
                Posix.lstatOrNull(fs.resolve(rest.substring(1))) == null,
                rest + " should not exist");
        case "layers" ->
            assertEquals(Integer.parseInt(rest), image.manifest().layers().size(), "layers");
        case "history" ->
            assertEquals(
                Integer.parseInt(rest),
                ((JsonArray) config.get("history")).elements().size(),
                "history entries");
        case "samefile" -> {
          String[] two = rest.split("\\s+");
          Stat a = Posix.lstatOrNull(fs.resolve(two[0].substring(1)));
          Stat b = Posix.lstatOrNull(fs.resolve(two[1].substring(1)));
          assertTrue(a != null && b != null, rest + ": missing");
          assertTrue(a.dev() == b.dev() && a.ino() == b.ino(), rest + ": not one file");
        }
        case "run" -> checkRun(mode, tag, rest);
        case "args", "exit", "stderr" -> {}
        default -> fail("unknown check: " + line);
      }
    }
    deleteTree(fs);
    return true;
  }

  /** {@code [ARGS...] = "stdout"}: the image run with ARGS exits 0 and prints exactly that. */
  private static void checkRun(Mode mode, String tag, String check) throws IOException {
    String padded = " " + check;
    int eq = padded.indexOf(" = ");
    assertTrue(eq >= 0, "run check needs ' = \"output\"': " + check);
    String argText = padded.substring(0, eq).trim();
    String want =
        ((dev.jbuild.layercache.json.JsonString) Json.parse(padded.substring(eq + 3))).value();
    List<String> args = new ArrayList<>(List.of("run", "--rm", tag));
    if (!argText.isEmpty()) {
      args.addAll(List.of(argText.split("\\s+")));
    }
    Outcome o = mode.jbuild(args);
    assertEquals(0, o.exit, "jbuild run " + check + "; stderr:\n" + o.err);
    assertEquals(want, o.out, "output of jbuild run " + argText);
  }

  private static void checkConfig(JsonObject config, String check) {
    String[] parts = check.split("\\s+", 3);
    String path = parts[0];
    String op = parts[1];
    Json actual = navigate(config, path);
    switch (op) {
      case "=" ->
          assertEquals(
              Json.parse(parts[2]).toString(),
              actual == null ? "null" : actual.toString(),
              "config " + path);
      case "contains" -> {
        assertTrue(actual instanceof JsonArray, "config " + path + " is not an array: " + actual);
        String want = Json.parse(parts[2]).toString();
        boolean found =
            ((JsonArray) actual).elements().stream().anyMatch(e -> e.toString().equals(want));
        assertTrue(found, "config " + path + " = " + actual + " lacks " + want);
      }
      case "absent" ->
          assertTrue(
              actual == null || actual instanceof JsonNull, "config " + path + " = " + actual);
      default -> fail("unknown config operator " + op);
    }
  }

  private static Json navigate(JsonObject config, String path) {
    Json cur;
    String p;
    if (path.startsWith("/")) {
      cur = config;
      p = path.substring(1);
    } else {
      cur = config.get("config");
      p = path;
    }
    for (String seg : p.split("\\.")) {
      if (!(cur instanceof JsonObject o)) {
        return null;
      }
      cur = o.get(seg);
    }
    return cur;
  }

  private static void checkFile(Path fs, String check) throws IOException {
    int eq = check.indexOf(" = ");
    String path = (eq > 0 ? check.substring(0, eq) : check.split("\\s+")[0]).trim();
    Path p = fs.resolve(path.substring(1));
    Stat st = Posix.lstatOrNull(p);
    assertTrue(st != null, path + " missing");
    if (eq > 0) {
      assertTrue(st.isRegularFile(), path + " is not a file");
      String want =
          ((dev.jbuild.layercache.json.JsonString) Json.parse(check.substring(eq + 3))).value();
      assertEquals(want, Files.readString(p, StandardCharsets.UTF_8), "content of " + path);
      return;
    }
    for (String attr : check.substring(path.length()).trim().split("\\s+")) {
      if (attr.isEmpty()) {
        continue;
      }
      String[] kv = attr.split("=", 2);
      switch (kv[0]) {
        case "mode" ->
            assertEquals(kv[1], Integer.toOctalString(st.permissions()), "mode of " + path);
        case "uid" -> assertEquals(Long.parseLong(kv[1]), st.uid(), "uid of " + path);
        case "gid" -> assertEquals(Long.parseLong(kv[1]), st.gid(), "gid of " + path);
        case "type" ->
            assertEquals(
                kv[1],
                st.isDirectory()
                    ? "dir"
                    : st.isSymlink() ? "symlink" : st.isRegularFile() ? "file" : "other",
                "type of " + path);
        case "target" ->
            assertEquals(kv[1], Files.readSymbolicLink(p).toString(), "link target of " + path);
        default -> fail("unknown file attribute " + attr);
      }
    }
  }

  /**
   * Deletes {@code p} and what is below it. A file that appears while the walk runs (seen once in
   * GitSshIT's store at teardown, after its assertions passed) makes it walk again, three times at
   * most.
   */
  static void deleteTree(Path p) throws IOException {
    for (int attempt = 1; ; attempt++) {
      if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        return;
      }
      try (Stream<Path> walk = Files.walk(p)) {
        for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(x);
        }
        return;
      } catch (java.nio.file.DirectoryNotEmptyException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }
}
