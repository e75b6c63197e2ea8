package dev.jbuild.builder.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.HostServer;
import dev.jbuild.testing.LocalRegistry;
import dev.jbuild.testing.TestImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The build command's options end to end: -q, --iidfile, --output, stdin, --push, registry cache.
 */
class BuildCommandIT {
  Path work;
  Path ctx;
  Path root;

  @BeforeEach
  void setUp() throws IOException {
    work = Files.createTempDirectory("jbuild-buildcmd");
    ctx = Files.createDirectories(work.resolve("ctx"));
    root = work.resolve("store");
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM busybox\nCOPY hello.txt /hello.txt\nRUN echo ran > /ran.txt\nCMD [\"cat\", \"/hello.txt\"]\n");
    Files.writeString(ctx.resolve("hello.txt"), "hello\n");
    try (Store store = Store.open(root)) {
      TestImages.busybox(store, "busybox:latest");
    }
  }

  @AfterEach
  void tearDown() throws IOException {
    CorpusCases.deleteTree(work);
  }

  private CorpusCases.Outcome jbuild(String... args) {
    List<String> all = new ArrayList<>(List.of("--root", root.toString()));
    all.addAll(List.of(args));
    return CorpusCases.jbuild(all.toArray(String[]::new));
  }

  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ":\n" + out);
    return out;
  }

  @Test
  void quietPrintsOnlyTheImageIdAndWritesTheIidfile() throws IOException {
    Path iid = work.resolve("iid");
    CorpusCases.Outcome o =
        jbuild("build", "-q", "--iidfile", iid.toString(), "-t", "app:1", ctx.toString());
    assertEquals(0, o.exit(), o.err());
    assertTrue(o.out().strip().matches("sha256:[0-9a-f]{64}"), o.out());
    assertEquals(o.out().strip(), Files.readString(iid));
    assertEquals("", o.err());
  }

  @Test
  void shorthandWithoutSubcommandBuilds() {
    CorpusCases.Outcome o =
        jbuild("-f", ctx.resolve("Dockerfile").toString(), "-q", ctx.toString());
    assertEquals(0, o.exit(), o.err());
    assertTrue(o.out().strip().startsWith("sha256:"), o.out());
  }

  @Test
  void exportsOciDockerLocalAndTar() throws Exception {
    Path oci = work.resolve("out/app-oci.tar");
    Path docker = work.resolve("out/app-docker.tar");
    Path local = work.resolve("out/fs");
    Path tar = work.resolve("out/fs.tar");
    CorpusCases.Outcome o =
        jbuild(
            "build",
            "-q",
            "-t",
            "app:1",
            "--output",
            "type=oci,dest=" + oci,
            "--output",
            "type=docker,dest=" + docker,
            "-o",
            local.toString(),
            "--output",
            "type=tar,dest=" + tar,
            ctx.toString());
    assertEquals(0, o.exit(), o.err());
    assertTrue(run("skopeo", "inspect", "oci-archive:" + oci).contains("\"Architecture\""));
    assertTrue(run("skopeo", "inspect", "docker-archive:" + docker).contains("\"Architecture\""));
    assertEquals("hello\n", Files.readString(local.resolve("hello.txt")));
    assertEquals("ran\n", Files.readString(local.resolve("ran.txt")));
    assertTrue(Files.isRegularFile(local.resolve("bin/busybox")));
    String listing = run("tar", "-tf", tar.toString());
    assertTrue(listing.contains("hello.txt") && listing.contains("bin/busybox"), listing);
  }

  @Test
  void dockerfileAndContextFromStdin() throws Exception {
    InputStream saved = System.in;
    try {
      System.setIn(new ByteArrayInputStream("FROM busybox\nCOPY hello.txt /\n".getBytes()));
      CorpusCases.Outcome o = jbuild("build", "-q", "-f", "-", ctx.toString());
      assertEquals(0, o.exit(), o.err());

      Path tar = work.resolve("ctx.tar");
      run("tar", "-C", ctx.toString(), "-cf", tar.toString(), ".");
      System.setIn(Files.newInputStream(tar));
      o = jbuild("build", "-q", "-t", "fromtar:1", "-");
      assertEquals(0, o.exit(), o.err());

      System.setIn(new ByteArrayInputStream("FROM busybox\nRUN echo no context\n".getBytes()));
      o = jbuild("build", "-q", "-");
      assertEquals(0, o.exit(), o.err());
    } finally {
      System.setIn(saved);
    }
  }

  @Test
  void badArgumentsAreOneClearLine() {
    CorpusCases.Outcome o = jbuild("build", "--build-arg", "=x", ctx.toString());
    assertEquals(2, o.exit());
    assertEquals(1, o.err().strip().lines().count(), o.err());
    assertTrue(o.err().contains("invalid build-arg"), o.err());

    o = jbuild("build", work.resolve("missing").toString());
    assertEquals(4, o.exit());
    assertTrue(o.err().contains("context directory not found"), o.err());

    o = jbuild("build", "-f", "nope/Dockerfile", ctx.toString());
    assertEquals(4, o.exit());
    assertTrue(o.err().contains("Dockerfile not found: nope/Dockerfile"), o.err());

    o = jbuild("build", "--network", "bridge", ctx.toString());
    assertEquals(2, o.exit());
  }

  @Test
  void aContainerfileServesWhenThereIsNoDockerfile() throws IOException {
    Path c = Files.createDirectories(work.resolve("containerfile-ctx"));
    Files.writeString(c.resolve("Containerfile"), "FROM busybox\nLABEL from=containerfile\n");
    CorpusCases.Outcome o = jbuild("build", "-q", "-t", "cf:1", c.toString());
    assertEquals(0, o.exit(), o.err());
    assertTrue(jbuild("inspect", "cf:1").out().contains("containerfile"));
    Files.writeString(c.resolve("Dockerfile"), "FROM busybox\nLABEL from=dockerfile\n");
    o = jbuild("build", "-q", "-t", "cf:2", c.toString());
    assertEquals(0, o.exit(), o.err());
    assertTrue(jbuild("inspect", "cf:2").out().contains("\"dockerfile\""), "Dockerfile first");
  }

  @Test
  void anOnbuildTriggerBuildsTheStageItNamesThoughThePlanPrunedIt() throws IOException {
    Path base = Files.createDirectories(work.resolve("onbuild-base"));
    Files.writeString(
        base.resolve("Dockerfile"),
        "FROM busybox\nONBUILD COPY --from=builder /out /from-builder\n");
    assertEquals(0, jbuild("build", "-q", "-t", "onb:base", base.toString()).exit());
    Path child = Files.createDirectories(work.resolve("onbuild-child"));
    // stage builder is referenced by no instruction of this Dockerfile: only the base's trigger
    Files.writeString(
        child.resolve("Dockerfile"),
        "FROM busybox AS builder\nRUN echo built > /out\n"
            + "FROM onb:base\nRUN cat /from-builder > /seen\n");
    CorpusCases.Outcome o = jbuild("build", "-q", "-t", "onb:child", child.toString());
    assertEquals(0, o.exit(), o.err());
    CorpusCases.Outcome seen = jbuild("run", "--rm", "onb:child", "cat", "/seen");
    assertEquals("built\n", seen.out(), seen.err());
  }

  @Test
  void labelsAreAddedToTheImage() throws IOException {
    CorpusCases.Outcome o =
        jbuild("build", "-q", "-t", "lab:1", "--label", "b=2", "--label", "a=1", ctx.toString());
    assertEquals(0, o.exit(), o.err());
    CorpusCases.Outcome inspect = jbuild("inspect", "lab:1");
    assertTrue(
        inspect.out().replaceAll("\\s", "").contains("\"Labels\":{\"a\":\"1\",\"b\":\"2\"}"),
        inspect.out());
  }

  @Test
  void pushAndRegistryCacheOnAFreshStore() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start()) {
      String base = registry.host() + "/library/busybox:latest";
      assertEquals(0, jbuild("push", "-q", "busybox:latest", base).exit());
      Files.writeString(
          ctx.resolve("Dockerfile"),
          "FROM " + base + "\nCOPY hello.txt /hello.txt\nRUN echo ran > /ran.txt\nENV A=1\n");
      String cacheRef = "type=registry,ref=" + registry.host() + "/cache:ci";
      String app = registry.host() + "/app:1";
      CorpusCases.Outcome first =
          jbuild(
              "build",
              "--progress",
              "plain",
              "--push",
              "-t",
              app,
              "--cache-to",
              cacheRef,
              ctx.toString());
      assertEquals(0, first.exit(), first.err());
      run("skopeo", "inspect", "--tls-verify=false", "docker://" + app);

      root = work.resolve("fresh-store");
      CorpusCases.Outcome second =
          jbuild(
              "build",
              "--progress",
              "plain",
              "--cache-from",
              cacheRef,
              "-t",
              "app:2",
              ctx.toString());
      assertEquals(0, second.exit(), second.err());
      Matcher m =
          Pattern.compile("^#\\d+ \\[\\d+/\\d+\\] (.*)$", Pattern.MULTILINE).matcher(second.err());
      int steps = 0;
      while (m.find()) {
        String line = m.group(1);
        if (line.startsWith("FROM ") || !(line.endsWith("CACHED") || line.contains(" DONE "))) {
          continue;
        }
        steps++;
        assertTrue(
            line.endsWith("CACHED"),
            "not cached on the fresh store: " + line + "\n" + second.err());
      }
      assertEquals(3, steps, second.err());
    }
  }

  @Test
  void runStepsGetAPrivateNetworkAndHostNeedsTheEntitlement() throws Exception {
    try (HostServer server = new HostServer()) {
      Files.writeString(
          ctx.resolve("Dockerfile"),
          "FROM busybox\nRUN mkdir -p /mnt; unshare -U -r -m sh -c 'mount -t tmpfs t /mnt && echo"
              + " MOUNT\"\"ED'; "
              + server.probeScript()
              + "\n");
      CorpusCases.Outcome o = jbuild("build", "--progress", "plain", "--no-cache", ctx.toString());
      assertEquals(0, o.exit(), o.err());
      assertFalse(o.err().contains("MOUNTED"), o.err());
      assertTrue(o.err().contains("127.0.0.1 refused"), o.err());
      assertFalse(
          o.err().lines().anyMatch(l -> l.endsWith(" ok")),
          "a RUN reached the host's loopback: " + o.err());

      // RUN --network=host: refused without the entitlement, allowed with either spelling
      Files.writeString(
          ctx.resolve("Dockerfile"),
          "FROM busybox\nRUN --network=host " + server.fetch("127.0.0.1") + "\n");
      o = jbuild("build", "--progress", "plain", ctx.toString());
      assertEquals(1, o.exit(), o.err());
      assertTrue(o.err().contains("network.host"), o.err());
      o = jbuild("build", "--progress", "plain", "--allow", "network.host", ctx.toString());
      assertEquals(0, o.exit(), o.err());
      assertTrue(o.err().contains(HostServer.BODY), o.err());
      o = jbuild("build", "--progress", "plain", "--no-cache", "--network", "host", ctx.toString());
      assertEquals(0, o.exit(), o.err());
      assertTrue(o.err().contains(HostServer.BODY), o.err());

      // --network none: loopback only, no route out
      Files.writeString(
          ctx.resolve("Dockerfile"),
          "FROM busybox\nRUN ip route | wc -l; "
              + server.fetch("10.0.2.2")
              + " || echo no-route\n");
      o = jbuild("build", "--progress", "plain", "--network", "none", ctx.toString());
      assertEquals(0, o.exit(), o.err());
      assertTrue(o.err().contains("no-route"), o.err());
    }
    assertEquals(List.of(), HostServer.awaitNoSlirp(root));
  }

  @Test
  void theContextsDockerfileAndIgnoreFileAreReadOnlyInsideTheContext() throws Exception {
    Path outside = work.resolve("outside");
    Files.createDirectories(outside);
    Files.writeString(outside.resolve("secret"), "FROM busybox\nTOPSECRET-LINE\n");
    Path c = work.resolve("linked-ctx");
    Files.createDirectories(c.resolve("docker"));
    Files.writeString(c.resolve("hello.txt"), "hello\n");
    // a symlink leading out of the context is followed only inside it, as BuildKit sees the context
    Files.createSymbolicLink(c.resolve("Dockerfile"), outside.resolve("secret"));
    CorpusCases.Outcome o = jbuild("build", "-q", c.toString());
    assertEquals(4, o.exit(), o.err());
    assertTrue(o.err().contains("Dockerfile not found"), o.err());
    assertTrue(!o.err().contains("TOPSECRET"), o.err());
    o = jbuild("build", "-q", "-f", "Dockerfile", c.toString());
    assertTrue(!o.err().contains("TOPSECRET"), o.err());
    // a relative link inside the context is fine
    Files.delete(c.resolve("Dockerfile"));
    Files.writeString(c.resolve("docker/Dockerfile.prod"), "FROM busybox\nCOPY . /ctx/\n");
    Files.createSymbolicLink(c.resolve("Dockerfile"), Path.of("docker/Dockerfile.prod"));
    // the ignore file too: one pointing outside the context is not read
    Files.writeString(outside.resolve("ignore"), "hello.txt\n");
    Files.createSymbolicLink(c.resolve(".dockerignore"), outside.resolve("ignore"));
    o = jbuild("build", "-q", "-t", "linked:1", c.toString());
    assertEquals(0, o.exit(), o.err());
    assertEquals("hello\n", jbuild("run", "--rm", "linked:1", "cat", "/ctx/hello.txt").out());
    // a fifo as the Dockerfile or the ignore file is refused, never opened (it would hang)
    Files.delete(c.resolve(".dockerignore"));
    run("mkfifo", c.resolve(".dockerignore").toString());
    o = jbuild("build", "-q", c.toString());
    assertEquals(1, o.exit(), o.err());
    assertTrue(o.err().contains("not a regular file"), o.err());
    Files.delete(c.resolve(".dockerignore"));
    Files.delete(c.resolve("Dockerfile"));
    run("mkfifo", c.resolve("Dockerfile").toString());
    o = jbuild("build", "-q", c.toString());
    assertEquals(1, o.exit(), o.err());
    assertTrue(o.err().contains("not a regular file"), o.err());
  }
}
