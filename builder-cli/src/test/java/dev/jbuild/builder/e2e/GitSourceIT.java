package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.testing.LoopbackHttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ADD of git sources and remote build contexts against real git servers on loopback ({@code git
 * daemon}, {@code git http-backend}) and tarball URLs from a loopback HTTP server; images are
 * exported with {@code -o type=local} and compared with what BuildKit produces for the same
 * Dockerfile (its documented and source-read behaviour: the tree's content, symlinks kept, modes
 * 0644/0755, {@code .git} only with --keep-git-dir).
 */
class GitSourceIT {
  Path work;
  Path root;
  GitServers servers;

  @BeforeEach
  void setUp() throws IOException {
    work = Files.createTempDirectory("jbuild-git");
    root = work.resolve("store");
    servers = new GitServers(Files.createDirectories(work.resolve("repos")));
  }

  @AfterEach
  void tearDown() throws IOException {
    servers.close();
    CorpusCases.deleteTree(work);
  }

  private CorpusCases.Outcome jbuild(String... args) {
    List<String> all = new ArrayList<>(List.of("--root", root.toString()));
    all.addAll(List.of(args));
    return CorpusCases.jbuild(all.toArray(String[]::new));
  }

  private Path context(String dockerfile) throws IOException {
    Path ctx = Files.createTempDirectory(work, "ctx");
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    return ctx;
  }

  /** A repository with sub/a.txt, an executable sub/run.sh, a symlink sub/link and top.txt. */
  private Path sampleRepo(String name) throws Exception {
    Path src = servers.newRepo(name);
    Files.createDirectories(src.resolve("sub/deep"));
    Files.writeString(src.resolve("sub/a.txt"), "one\n");
    Files.writeString(src.resolve("sub/deep/b.txt"), "b\n");
    Files.writeString(src.resolve("sub/run.sh"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(
        src.resolve("sub/run.sh"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createSymbolicLink(src.resolve("sub/link"), Path.of("/etc/passwd"));
    Files.writeString(src.resolve("top.txt"), "top\n");
    GitServers.commitAndPush(src, "first");
    return src;
  }

  @Test
  void addOverHttpTakesTheSubdirKeepsSymlinksAndIsCachedUntilTheBranchMoves() throws Exception {
    Path src = sampleRepo("repo");
    String url = servers.httpUrl("repo") + "#main:sub";
    Path ctx = context("FROM scratch\nADD " + url + " /src/\n");
    Path out1 = work.resolve("out1");
    CorpusCases.Outcome o =
        jbuild("build", "--progress", "plain", "-o", "type=local,dest=" + out1, ctx.toString());
    assertEquals(0, o.exit(), o.err());
    assertEquals("one\n", Files.readString(out1.resolve("src/a.txt")));
    assertEquals("b\n", Files.readString(out1.resolve("src/deep/b.txt")));
    assertFalse(Files.exists(out1.resolve("src/top.txt")), "only the subdir");
    assertFalse(Files.exists(out1.resolve("src/.git")), "no .git without --keep-git-dir");
    assertTrue(Files.isSymbolicLink(out1.resolve("src/link")));
    assertEquals(Path.of("/etc/passwd"), Files.readSymbolicLink(out1.resolve("src/link")));
    assertTrue(
        Files.getPosixFilePermissions(out1.resolve("src/run.sh"))
            .contains(PosixFilePermission.OWNER_EXECUTE));
    assertFalse(
        Files.getPosixFilePermissions(out1.resolve("src/a.txt"))
            .contains(PosixFilePermission.OWNER_EXECUTE));

    CorpusCases.Outcome again =
        jbuild(
            "build",
            "--progress",
            "plain",
            "-o",
            "type=local,dest=" + work.resolve("o2"),
            ctx.toString());
    assertEquals(0, again.exit(), again.err());
    assertTrue(again.err().contains("ADD " + url + " /src/ CACHED"), again.err());

    Files.writeString(src.resolve("sub/a.txt"), "two\n");
    GitServers.commitAndPush(src, "second");
    Path out3 = work.resolve("out3");
    CorpusCases.Outcome moved =
        jbuild("build", "--progress", "plain", "-o", "type=local,dest=" + out3, ctx.toString());
    assertEquals(0, moved.exit(), moved.err());
    assertFalse(moved.err().contains("/src/ CACHED"), moved.err());
    assertTrue(moved.err().contains("(commit of " + url + " changed)"), moved.err());
    assertEquals("two\n", Files.readString(out3.resolve("src/a.txt")));
  }

  @Test
  void addOverGitDaemonOfAnAnnotatedTagKeepsTheGitDirWhenAsked() throws Exception {
    Path src = sampleRepo("tagged");
    GitServers.git(src, "tag", "-a", "v1", "-m", "v1");
    String commit = GitServers.git(src, "rev-parse", "HEAD");
    GitServers.git(src, "push", "-q", "origin", "v1");
    Files.writeString(src.resolve("top.txt"), "later\n");
    GitServers.commitAndPush(src, "after the tag");
    String url = servers.gitUrl("tagged");
    Path ctx =
        context("FROM scratch\nADD --keep-git-dir=true " + url + "#v1 /r\nADD " + url + " /head\n");
    Path out = work.resolve("out");
    CorpusCases.Outcome o = jbuild("build", "-o", "type=local,dest=" + out, ctx.toString());
    assertEquals(0, o.exit(), o.err());
    assertEquals("top\n", Files.readString(out.resolve("r/top.txt")));
    assertEquals("later\n", Files.readString(out.resolve("head/top.txt")), "HEAD of the remote");
    assertFalse(Files.exists(out.resolve("head/.git")));
    assertTrue(Files.isDirectory(out.resolve("r/.git")));
    Path r = out.resolve("r");
    assertEquals(commit, GitServers.git(r, "rev-parse", "HEAD"));
    assertEquals("", GitServers.git(r, "status", "--porcelain"), "the index matches the tree");
    assertEquals(url, GitServers.git(r, "remote", "get-url", "origin"));

    CorpusCases.Outcome pinned =
        jbuild(
            "build",
            "-o",
            "type=local,dest=" + work.resolve("p"),
            context(
                    "FROM scratch\nADD --checksum="
                        + commit.substring(0, 12)
                        + " "
                        + url
                        + "#v1 /r\n")
                .toString());
    assertEquals(0, pinned.exit(), pinned.err());
    Path abbr = work.resolve("abbr");
    CorpusCases.Outcome abbreviated =
        jbuild(
            "build",
            "-o",
            "type=local,dest=" + abbr,
            context("FROM scratch\nADD " + url + "#" + commit.substring(0, 10) + " /a\n")
                .toString());
    assertEquals(0, abbreviated.exit(), abbreviated.err());
    assertEquals(
        "top\n", Files.readString(abbr.resolve("a/top.txt")), "the tagged commit, by prefix");
    CorpusCases.Outcome wrong =
        jbuild(
            "build",
            context("FROM scratch\nADD --checksum=0123456789ab " + url + "#v1 /r\n").toString());
    assertNotEquals(0, wrong.exit());
    assertTrue(wrong.err().contains("expected checksum to match 0123456789ab"), wrong.err());
  }

  @Test
  void theQueryFormAndSubmodules() throws Exception {
    Path lib = servers.newRepo("lib");
    Files.writeString(lib.resolve("lib.txt"), "lib\n");
    GitServers.commitAndPush(lib, "lib");
    Path app = servers.newRepo("app");
    Files.writeString(app.resolve("app.txt"), "app\n");
    GitServers.git(
        app, "submodule", "add", "-q", servers.base.resolve("lib.git").toString(), "vendor/lib");
    Files.writeString(
        app.resolve(".gitmodules"),
        "[submodule \"vendor/lib\"]\n\tpath = vendor/lib\n\turl = ../lib.git\n");
    GitServers.commitAndPush(app, "with a submodule");
    String url = servers.httpUrl("app");
    Path out = work.resolve("out");
    CorpusCases.Outcome o =
        jbuild(
            "build",
            "-o",
            "type=local,dest=" + out,
            context(
                    "FROM scratch\nADD "
                        + url
                        + "?branch=main /all\nADD "
                        + url
                        + "?ref=main&subdir=vendor&submodules=false /nosub\n")
                .toString());
    assertEquals(0, o.exit(), o.err());
    assertEquals("app\n", Files.readString(out.resolve("all/app.txt")));
    assertEquals("lib\n", Files.readString(out.resolve("all/vendor/lib/lib.txt")));
    assertTrue(Files.isDirectory(out.resolve("nosub/lib")));
    try (var s = Files.list(out.resolve("nosub/lib"))) {
      assertEquals(0, s.count(), "submodules=false leaves the submodule's directory empty");
    }
  }

  @Test
  void credentialsComeFromTheGitAuthTokenSecret() throws Exception {
    sampleRepo("private");
    servers.requiredAuthorization =
        "basic "
            + Base64.getEncoder()
                .encodeToString("x-access-token:s3cret".getBytes(StandardCharsets.UTF_8));
    Path ctx = context("FROM scratch\nADD " + servers.httpUrl("private") + " /p\n");
    CorpusCases.Outcome denied = jbuild("build", ctx.toString());
    assertNotEquals(0, denied.exit());
    assertTrue(denied.err().contains("git source http://127.0.0.1:"), denied.err());
    Path token = work.resolve("token");
    Files.writeString(token, "s3cret\n");
    Path out = work.resolve("out");
    CorpusCases.Outcome o =
        jbuild(
            "build",
            "--secret",
            "id=GIT_AUTH_TOKEN,src=" + token,
            "-o",
            "type=local,dest=" + out,
            ctx.toString());
    assertEquals(0, o.exit(), o.err());
    assertEquals("top\n", Files.readString(out.resolve("p/top.txt")));
  }

  /**
   * jbuild by its launcher with HOME set to {@code home}, so the {@code git credential} it runs
   * reads that home's .gitconfig; its exit code and output.
   */
  private CorpusCases.Outcome launcherWithHome(Path home, String... args) throws Exception {
    return launcherWithHome(home, Path.of("").toAbsolutePath(), args);
  }

  private CorpusCases.Outcome launcherWithHome(Path home, Path cwd, String... args)
      throws Exception {
    List<String> argv = new ArrayList<>();
    argv.add(Path.of("..", "jbuild").toAbsolutePath().normalize().toString());
    argv.addAll(List.of("--root", root.toString()));
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).directory(cwd.toFile());
    pb.environment().put("HOME", home.toString());
    pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
    pb.environment().put("JBUILD_DEBUG", "1");
    pb.environment().remove("XDG_CONFIG_HOME");
    Process p = pb.start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new CorpusCases.Outcome(p.waitFor(), output, output);
  }

  @Test
  void credentialsComeFromTheGitCredentialHelperOnlyWhenTheServerAsks() throws Exception {
    sampleRepo("helped");
    sampleRepo("public");
    Path home = Files.createDirectories(work.resolve("home"));
    Path log = work.resolve("helper.log");
    // a helper that logs what git asks of it, then git's store helper
    Files.writeString(
        home.resolve(".gitconfig"),
        "[credential]\n\thelper = \"!f() { echo \\\"$1\\\" >> "
            + log
            + "; }; f\"\n\thelper = store\n");
    int port = servers.httpPort();
    Path stored = home.resolve(".git-credentials");

    // a public repository never runs git credential
    Path pub = context("FROM scratch\nADD " + servers.httpUrl("public") + "#main /src\n");
    CorpusCases.Outcome o = launcherWithHome(home, "build", "-q", pub.toString());
    assertEquals(0, o.exit(), o.err());
    assertFalse(Files.exists(log), "git credential ran for a public repository");

    servers.requiredAuthorization =
        "Basic " + Base64.getEncoder().encodeToString("user:p=w".getBytes(StandardCharsets.UTF_8));
    String url = servers.httpUrl("helped");
    Path ctx = context("FROM scratch\nADD " + url + "#main /src\n");

    // no credential stored: a 401 naming the URL, no prompt, no hang; run inside a repository
    // whose own config names a helper, which is never run (only the user's config counts)
    Path cloned = servers.newRepo("cloned");
    Path evil = work.resolve("evil.log");
    GitServers.git(cloned, "config", "credential.helper", "!f() { echo ran >> " + evil + "; }; f");
    CorpusCases.Outcome denied = launcherWithHome(home, cloned, "build", "-q", ctx.toString());
    assertNotEquals(0, denied.exit());
    assertTrue(denied.err().contains("git source " + url), denied.err());
    assertTrue(denied.err().contains("HTTP 401"), denied.err());
    assertTrue(Files.readString(log).contains("get"), Files.readString(log));
    assertFalse(Files.exists(evil), "a helper from the repository jbuild runs in ran");

    // a wrong password: refused, and git credential reject makes the store forget it
    Files.writeString(stored, "http://user:wrong@127.0.0.1:" + port + "\n");
    Files.delete(log);
    CorpusCases.Outcome wrong = launcherWithHome(home, "build", "-q", ctx.toString());
    assertNotEquals(0, wrong.exit());
    assertFalse(wrong.err().contains("wrong"), "the password is in the error: " + wrong.err());
    assertEquals("get\nerase\n", Files.readString(log));
    assertFalse(Files.readString(stored).contains("wrong"), Files.readString(stored));

    // the right one (with an = in the password): the build works, git credential approve
    Files.writeString(stored, "http://user:p%3Dw@127.0.0.1:" + port + "\n");
    Files.delete(log);
    Path out = work.resolve("out-helped");
    CorpusCases.Outcome ok =
        launcherWithHome(home, "build", "-q", "-o", "type=local,dest=" + out, ctx.toString());
    assertEquals(0, ok.exit(), ok.err());
    assertEquals("top\n", Files.readString(out.resolve("src/top.txt")));
    assertTrue(Files.readString(log).startsWith("get\n"), Files.readString(log));
    assertTrue(Files.readString(log).contains("store\n"), Files.readString(log));
    assertFalse(ok.err().contains("p=w"), ok.err());
  }

  @Test
  void theLauncherFetchesAGitSourceSilently() throws Exception {
    sampleRepo("launched");
    Path ctx = context("FROM scratch\nADD " + servers.gitUrl("launched") + "#main:sub /s\n");
    Path out = work.resolve("out");
    Process p =
        new ProcessBuilder(
                Path.of("..", "jbuild").toAbsolutePath().normalize().toString(),
                "--root",
                root.toString(),
                "build",
                "-q",
                "-o",
                "type=local,dest=" + out,
                ctx.toString())
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), output);
    assertEquals("one\n", Files.readString(out.resolve("s/a.txt")), "the shaded jar carries JGit");
    assertFalse(output.contains("SLF4J"), "JGit's logging stays quiet:\n" + output);
  }

  @Test
  void copyOfAGitSourceIsRefusedAsBuildKit() throws Exception {
    sampleRepo("r");
    CorpusCases.Outcome o =
        jbuild("build", context("FROM scratch\nCOPY " + servers.httpUrl("r") + " /x\n").toString());
    assertNotEquals(0, o.exit());
    assertTrue(o.err().contains("source can't be a git ref for COPY"), o.err());
  }

  @Test
  void remoteContextsGitTarballAndPlainDockerfile() throws Exception {
    Path src = servers.newRepo("ctx");
    Files.createDirectories(src.resolve("app"));
    Files.writeString(src.resolve("app/Dockerfile"), "FROM scratch\nCOPY hello.txt /\n");
    Files.writeString(src.resolve("app/alt.Dockerfile"), "FROM scratch\nCOPY hello.txt /alt.txt\n");
    Files.writeString(src.resolve("app/hello.txt"), "from git\n");
    GitServers.commitAndPush(src, "ctx");
    Path out = work.resolve("out-git");
    CorpusCases.Outcome o =
        jbuild("build", "-o", "type=local,dest=" + out, servers.httpUrl("ctx") + "#main:app");
    assertEquals(0, o.exit(), o.err());
    assertEquals("from git\n", Files.readString(out.resolve("hello.txt")));
    Path outF = work.resolve("out-f");
    o =
        jbuild(
            "build",
            "-f",
            "alt.Dockerfile",
            "-o",
            "type=local,dest=" + outF,
            servers.gitUrl("ctx") + "#main:app");
    assertEquals(0, o.exit(), o.err());
    assertEquals("from git\n", Files.readString(outF.resolve("alt.txt")));

    byte[] tgz = tarGz("Dockerfile", "FROM scratch\nCOPY f.txt /\n", "f.txt", "from tar\n");
    byte[] plain = "FROM scratch\nLABEL from=url\n".getBytes(StandardCharsets.UTF_8);
    try (LoopbackHttpServer http =
        LoopbackHttpServer.start(
            "/",
            ex -> {
              byte[] body = ex.getRequestURI().getPath().endsWith(".tar.gz") ? tgz : plain;
              ex.sendResponseHeaders(200, body.length);
              try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
              }
              ex.close();
            })) {
      Path outT = work.resolve("out-tar");
      o = jbuild("build", "-o", "type=local,dest=" + outT, "http://" + http.host() + "/ctx.tar.gz");
      assertEquals(0, o.exit(), o.err());
      assertEquals("from tar\n", Files.readString(outT.resolve("f.txt")));
      o = jbuild("build", "-q", "-t", "plain:1", "http://" + http.host() + "/Dockerfile");
      assertEquals(0, o.exit(), o.err());
      CorpusCases.Outcome label = jbuild("inspect", "-f", "{{.Config.Labels}}", "plain:1");
      assertTrue(label.out().contains("from:url"), label.out() + label.err());

      Path outU = work.resolve("out-unpack");
      o =
          jbuild(
              "build",
              "-o",
              "type=local,dest=" + outU,
              context(
                      "FROM scratch\nADD --unpack=true http://"
                          + http.host()
                          + "/a.tar.gz /u/\nADD --chmod=0700 http://"
                          + http.host()
                          + "/b.tar.gz /packed/\n")
                  .toString());
      assertEquals(0, o.exit(), o.err());
      assertEquals("from tar\n", Files.readString(outU.resolve("u/f.txt")));
      assertTrue(Files.isRegularFile(outU.resolve("packed/b.tar.gz")), "no --unpack: kept packed");
      assertEquals(
          java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"),
          Files.getPosixFilePermissions(outU.resolve("packed/b.tar.gz")));

      Path outN = work.resolve("out-named");
      o =
          jbuild(
              "build",
              "--build-context",
              "src=" + servers.httpUrl("ctx") + "#main:app",
              "--build-context",
              "tarball=http://" + http.host() + "/n.tar.gz",
              "-o",
              "type=local,dest=" + outN,
              context(
                      "FROM scratch\nCOPY --from=src hello.txt /n1\nCOPY --from=tarball f.txt /n2\n")
                  .toString());
      assertEquals(0, o.exit(), o.err());
      assertEquals("from git\n", Files.readString(outN.resolve("n1")));
      assertEquals("from tar\n", Files.readString(outN.resolve("n2")));
    }
  }

  private static byte[] tarGz(String... namesAndContents) throws IOException {
    Path dir = Files.createTempDirectory("tgz");
    try {
      List<String> cmd = new ArrayList<>(List.of("tar", "-czf", "-", "-C", dir.toString()));
      for (int i = 0; i < namesAndContents.length; i += 2) {
        Files.writeString(dir.resolve(namesAndContents[i]), namesAndContents[i + 1]);
        cmd.add(namesAndContents[i]);
      }
      Process p = new ProcessBuilder(cmd).start();
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      p.getInputStream().transferTo(b);
      assertEquals(0, p.waitFor());
      return b.toByteArray();
    } catch (InterruptedException e) {
      throw new IOException(e);
    } finally {
      CorpusCases.deleteTree(dir);
    }
  }
}
