package dev.jbuild.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbuild.layercache.store.Store;
import dev.jbuild.testing.AsUser;
import dev.jbuild.testing.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client mode end to end: the jbuild jar as a separate client process ({@code --host unix://S} or
 * JBUILD_HOST) against a daemon on a socket of the test's own, compared with the same command run
 * in-process (daemonless) on the same store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientModeIT {
  @TempDir static Path tmp;
  Path root;
  Path socket;
  DaemonProcess daemon;

  record Result(int exit, String out, String err) {}

  @BeforeAll
  void start() throws Exception {
    root = tmp.resolve("store");
    try (Store s = Store.open(root)) {
      TestImages.busybox(s, "busybox");
    }
    socket = tmp.resolve("jbuild.sock");
    daemon = DaemonProcess.start(root, socket, tmp.resolve("daemon.log"));
  }

  @AfterAll
  void stop() throws Exception {
    daemon.close();
  }

  Result jbuild(Map<String, String> env, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(AsUser.launcher().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
    pb.environment().remove("JBUILD_HOST");
    pb.environment().putAll(env);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Path out = Files.createTempFile(tmp, "out", "");
    Path err = Files.createTempFile(tmp, "err", "");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "jbuild " + args[0] + " timed out");
    return new Result(
        p.exitValue(),
        // byte for byte (a tar on stdout is not UTF-8)
        new String(Files.readAllBytes(out), StandardCharsets.ISO_8859_1),
        new String(Files.readAllBytes(err), StandardCharsets.ISO_8859_1));
  }

  /** Through the daemon. */
  Result remote(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--host", "unix://" + socket));
    all.addAll(List.of(args));
    return jbuild(Map.of(), all.toArray(String[]::new));
  }

  /** In this machine's process, on the same store. */
  Result local(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("--root", root.toString()));
    all.addAll(List.of(args));
    return jbuild(Map.of(), all.toArray(String[]::new));
  }

  Path context(String name, String dockerfile) throws IOException {
    Path ctx = tmp.resolve(name);
    Files.createDirectories(ctx.resolve("sub"));
    Files.writeString(ctx.resolve("Dockerfile"), dockerfile);
    Files.writeString(ctx.resolve("a.txt"), "a\n");
    Files.writeString(ctx.resolve("sub/b.txt"), "b\n");
    Files.writeString(ctx.resolve("secret.txt"), "not for the daemon\n");
    Files.writeString(ctx.resolve(".dockerignore"), "secret.txt\n");
    return ctx;
  }

  @Test
  void buildSendsTheFilteredContextAndWritesOutputsOnTheClient() throws Exception {
    Path ctx = context("ctx1", "FROM busybox\nCOPY . /ctx/\nRUN ls -a /ctx > /list\n");
    Path outside = tmp.resolve("elsewhere/Other.Dockerfile");
    Files.createDirectories(outside.getParent());
    Files.writeString(outside, "FROM busybox\nCOPY . /ctx/\nRUN ls -a /ctx > /list\nENV X=1\n");
    Path dest = tmp.resolve("exported");
    Path iid = tmp.resolve("ids/iid.txt");
    Result r =
        remote(
            "build",
            "--progress",
            "plain",
            "-t",
            "client-x",
            "-f",
            outside.toString(),
            "--iidfile",
            iid.toString(),
            "-o",
            "type=local,dest=" + dest,
            ctx.toString());
    assertEquals(0, r.exit(), r.err());
    String list = Files.readString(dest.resolve("list"));
    assertTrue(list.contains("a.txt") && list.contains("sub"), list);
    assertFalse(list.contains("secret.txt"), list);
    assertTrue(Files.isRegularFile(dest.resolve("ctx/sub/b.txt")));
    assertFalse(Files.exists(dest.resolve("ctx/secret.txt")));
    String id = Files.readString(iid).strip();
    assertTrue(id.startsWith("sha256:"), id);
    Result inspect = local("inspect", "-f", "{{.Id}}", "client-x");
    assertEquals(id, inspect.out().strip());
  }

  @Test
  void theDaemonsCopyOfAContextFollowsTheClient() throws Exception {
    Path ctx = context("ctx4", "FROM busybox\nCOPY . /ctx/\n");
    // the same size and mtime after a change must not pass for unchanged: the daemon compares
    // the bytes of its kept copy (ContextSync), it never trusts the metadata the client sends
    java.nio.file.attribute.FileTime racy =
        java.nio.file.attribute.FileTime.from(java.time.Instant.now().plusSeconds(60));
    Files.writeString(ctx.resolve("racy.txt"), "1\n");
    Files.setLastModifiedTime(ctx.resolve("racy.txt"), racy);
    // and an old mtime kept over a same-size change (tar --mtime, a tool restoring times)
    java.nio.file.attribute.FileTime old =
        java.nio.file.attribute.FileTime.from(java.time.Instant.parse("2020-01-02T03:04:05Z"));
    Files.writeString(ctx.resolve("old.txt"), "x\n");
    Files.setLastModifiedTime(ctx.resolve("old.txt"), old);
    Path d1 = tmp.resolve("sync1");
    assertEquals(0, remote("build", "-q", "-o", "type=local,dest=" + d1, ctx.toString()).exit());
    assertEquals("a\n", Files.readString(d1.resolve("ctx/a.txt")));
    // the same size, at once (the same second): still seen; a file gone; a file now a directory
    Files.writeString(ctx.resolve("a.txt"), "A\n");
    Files.writeString(ctx.resolve("racy.txt"), "2\n");
    Files.setLastModifiedTime(ctx.resolve("racy.txt"), racy);
    Files.writeString(ctx.resolve("old.txt"), "y\n");
    Files.setLastModifiedTime(ctx.resolve("old.txt"), old);
    Files.delete(ctx.resolve("sub/b.txt"));
    Files.createDirectories(ctx.resolve("c.txt"));
    Files.writeString(ctx.resolve("c.txt/inner"), "c\n");
    Path d2 = tmp.resolve("sync2");
    Result r = remote("build", "-q", "-o", "type=local,dest=" + d2, ctx.toString());
    assertEquals(0, r.exit(), r.err());
    assertEquals("A\n", Files.readString(d2.resolve("ctx/a.txt")));
    assertEquals("2\n", Files.readString(d2.resolve("ctx/racy.txt")));
    assertEquals("y\n", Files.readString(d2.resolve("ctx/old.txt")));
    assertFalse(Files.exists(d2.resolve("ctx/sub/b.txt")));
    assertEquals("c\n", Files.readString(d2.resolve("ctx/c.txt/inner")));
    assertFalse(Files.exists(d2.resolve("ctx/secret.txt")));
    // the daemon's kept copy (ContextPool, the one the API's builds use too) is the new context
    List<Path> kept;
    try (var dirs = Files.list(ContextPool.dir(root))) {
      kept = dirs.filter(d -> Files.exists(d.resolve("racy.txt"))).toList();
    }
    assertEquals(1, kept.size(), kept.toString());
    assertEquals("A\n", Files.readString(kept.getFirst().resolve("a.txt")));
    assertEquals("2\n", Files.readString(kept.getFirst().resolve("racy.txt")));
    // and the image is the one the same context builds here
    Result here = local("build", "-q", ctx.toString());
    Result there = remote("build", "-q", ctx.toString());
    assertEquals(here, there);
  }

  /** {@code build -q -o type=local,dest=DEST CTX} through {@code proxy}, which must succeed. */
  private void exportThrough(CountingProxy proxy, Path ctx, Path dest) throws Exception {
    Result r =
        jbuild(
            Map.of(),
            "--host",
            proxy.host(),
            "build",
            "-q",
            "-o",
            "type=local,dest=" + dest,
            ctx.toString());
    assertEquals(0, r.exit(), r.err());
  }

  @Test
  void aNoOpRebuildSendsTheFileListNotTheFiles() throws Exception {
    Path ctx = context("ctx-manifest", "FROM busybox\nCOPY . /ctx/\n");
    byte[] big = new byte[4 << 20];
    new java.util.Random(7).nextBytes(big);
    Files.write(ctx.resolve("big.bin"), big);
    try (CountingProxy proxy = new CountingProxy(tmp.resolve("proxy.sock"), socket)) {
      Path d1 = tmp.resolve("manifest1");
      exportThrough(proxy, ctx, d1);
      long sent = proxy.takeUpstream();
      assertTrue(sent > big.length, "first build sent " + sent);

      // unchanged: the manifest goes, the files do not
      Path d2 = tmp.resolve("manifest2");
      exportThrough(proxy, ctx, d2);
      long resent = proxy.takeUpstream();
      assertTrue(resent < 64 * 1024, "a no-op rebuild sent " + resent + " bytes");
      assertTrue(java.util.Arrays.equals(big, Files.readAllBytes(d2.resolve("ctx/big.bin"))));

      // a same-size edit that keeps the mtime changes the change time: sent again
      java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(ctx.resolve("big.bin"));
      big[12345] ^= 1;
      Files.write(ctx.resolve("big.bin"), big);
      Files.setLastModifiedTime(ctx.resolve("big.bin"), mtime);
      Path d3 = tmp.resolve("manifest3");
      exportThrough(proxy, ctx, d3);
      assertTrue(proxy.takeUpstream() > big.length);
      assertTrue(java.util.Arrays.equals(big, Files.readAllBytes(d3.resolve("ctx/big.bin"))));

      // the daemon's kept copy changed behind its back (same size, same mtime): not trusted
      Path kept;
      try (var dirs = Files.list(ContextPool.dir(root))) {
        kept = dirs.filter(d -> Files.exists(d.resolve("big.bin"))).findFirst().orElseThrow();
      }
      byte[] tampered = big.clone();
      tampered[0] ^= 1;
      Files.write(kept.resolve("big.bin"), tampered);
      Files.setLastModifiedTime(kept.resolve("big.bin"), mtime);
      Path d4 = tmp.resolve("manifest4");
      exportThrough(proxy, ctx, d4);
      assertTrue(proxy.takeUpstream() > big.length);
      assertTrue(java.util.Arrays.equals(big, Files.readAllBytes(d4.resolve("ctx/big.bin"))));
    }
  }

  @Test
  void aFailingRunEndsAsInProcess() throws Exception {
    Path ctx = context("ctx2", "FROM busybox\nRUN echo boom >&2; exit 3\n");
    Result here = local("build", "--progress", "quiet", ctx.toString());
    Result there = remote("build", "--progress", "quiet", ctx.toString());
    assertEquals(here.exit(), there.exit());
    assertTrue(there.exit() != 0);
    assertEquals(lastLine(here.err()), lastLine(there.err()));
  }

  @Test
  void sameBytesInProcessAndThroughTheDaemon() throws Exception {
    Path ctx = context("ctx3", "FROM busybox\nCOPY a.txt /a\nRUN cat /a\nLABEL x=y\n");
    assertEquals(0, local("build", "-t", "same", ctx.toString()).exit());
    // plain progress of a cached build holds no timing: the bytes must be the same
    Result here = local("build", "--progress", "plain", "-t", "same", ctx.toString());
    Result there = remote("build", "--progress", "plain", "-t", "same", ctx.toString());
    assertEquals(here, there);
    assertTrue(there.err().contains("CACHED"), there.err());
    assertEquals(
        local("build", "-q", "-t", "same", ctx.toString()),
        remote("build", "-q", "-t", "same", ctx.toString()));
    // the filesystem as a tar on stdout; and -q with it refused as in the process
    assertEquals(
        local("build", "--progress", "quiet", "-o", "-", ctx.toString()),
        remote("build", "--progress", "quiet", "-o", "-", ctx.toString()));
    Result refused = remote("build", "-q", "-o", "-", ctx.toString());
    assertEquals(local("build", "-q", "-o", "-", ctx.toString()), refused);
    assertEquals(2, refused.exit());
    String format = "{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}";
    assertEquals(local("images", "--format", format), remote("images", "--format", format));
    assertEquals(local("inspect", "same"), remote("inspect", "same"));
  }

  @Test
  void runPrintsOnTheClient() throws Exception {
    Result r = remote("run", "--rm", "busybox", "echo", "hi");
    assertEquals(new Result(0, "hi\n", ""), r);
    Result code = remote("run", "--rm", "busybox", "sh", "-c", "echo out; echo err >&2; exit 5");
    assertEquals(new Result(5, "out\n", "err\n"), code);
  }

  @Test
  void jbuildHostIsHonoured() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("JBUILD_HOST", "unix://" + socket);
    Result r = jbuild(env, "images", "--format", "{{.Repository}}");
    assertEquals(0, r.exit(), r.err());
    assertTrue(r.out().lines().anyMatch("busybox"::equals), r.out());
  }

  @Test
  void whatCannotBeCarriedIsRefused() throws Exception {
    Result root = remote("--root", tmp.resolve("other").toString(), "images");
    assertEquals(2, root.exit());
    assertEquals(
        "jbuild: --root cannot be used with --host: the daemon owns its store and chose its"
            + " isolation when it started\n",
        root.err());
    Result ssh = remote("build", "--ssh", "default=/nonexistent", tmp.toString());
    assertEquals(2, ssh.exit());
    assertTrue(ssh.err().startsWith("jbuild: not available with --host: --ssh"), ssh.err());
    Result bind = remote("run", "--rm", "-v", "/etc:/x", "busybox", "true");
    assertEquals(2, bind.exit());
    assertTrue(bind.err().contains("bind mount"), bind.err());
  }

  @Test
  void mutualTlsOnLoopback() throws Exception {
    Path certs = Files.createDirectories(tmp.resolve("certs"));
    String script =
        String.join(
            " && ",
            "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 2"
                + " -subj /CN=test-ca",
            "printf 'subjectAltName=IP:127.0.0.1\\n' > server.ext",
            "printf 'extendedKeyUsage=clientAuth\\n' > client.ext",
            "openssl req -newkey rsa:2048 -nodes -keyout server-key.pem -out server.csr"
                + " -subj /CN=127.0.0.1",
            "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial"
                + " -out server-cert.pem -days 2 -extfile server.ext",
            "openssl req -newkey rsa:2048 -nodes -keyout key.pem -out client.csr -subj /CN=client",
            "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial"
                + " -out cert.pem -days 2 -extfile client.ext",
            "openssl req -x509 -newkey rsa:2048 -nodes -keyout other-key.pem -out other-ca.pem"
                + " -days 2 -subj /CN=other-ca");
    Process p =
        new ProcessBuilder("sh", "-c", script)
            .directory(certs.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    assertEquals(0, p.waitFor());
    int port;
    try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path dir = Files.createDirectories(tmp.resolve("tls-daemon"));
    try (DaemonProcess _ =
        DaemonProcess.start(
            dir.resolve("store"),
            dir.resolve("jbuild.sock"),
            dir.resolve("daemon.log"),
            "-H",
            "tcp://127.0.0.1:" + port,
            "--tlsverify",
            "--tlscacert",
            certs.resolve("ca.pem").toString(),
            "--tlscert",
            certs.resolve("server-cert.pem").toString(),
            "--tlskey",
            certs.resolve("server-key.pem").toString())) {
      Map<String, String> env = new HashMap<>();
      env.put("JBUILD_HOST", "tcp://127.0.0.1:" + port);
      env.put("JBUILD_TLS_VERIFY", "1");
      env.put("JBUILD_CERT_PATH", certs.toString());
      Result r = jbuild(env, "images", "--format", "{{.ID}}");
      assertEquals(new Result(0, "", ""), r);
      // a daemon whose certificate the client's CA did not sign is not talked to
      Result wrongCa =
          jbuild(env, "--tlscacert", certs.resolve("other-ca.pem").toString(), "images");
      assertEquals(1, wrongCa.exit());
      assertTrue(
          wrongCa.err().startsWith("jbuild: daemon at tcp://127.0.0.1:" + port + ": "),
          wrongCa.err());
    }
  }

  private static String lastLine(String s) {
    List<String> lines = s.lines().toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }
}
